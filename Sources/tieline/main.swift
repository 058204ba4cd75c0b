import TielineCLI

await TielineCommand.runMain()
