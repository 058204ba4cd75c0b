import ArgumentParser
import TielineCLI

/// The program's entry. `bench sync` runs the hub and the agent as processes of their own: this very
/// program, asked to act as `tieline` (`tieline-bench tieline hub serve ...`), so a bench build needs no
/// second binary.
@main
struct BenchMain {
    static func main() async {
        SQLiteSetup.start()
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "tieline" {
            await TielineCommand.runMain(Array(arguments.dropFirst()))
        } else {
            await BenchCommand.main(arguments)
        }
    }
}
