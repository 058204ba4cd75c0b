import TielineCLI

await TielineCommand.main()
