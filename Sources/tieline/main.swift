import TielineCLI

await TielineCommand.launch()
