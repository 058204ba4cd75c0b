// TielineCLI
