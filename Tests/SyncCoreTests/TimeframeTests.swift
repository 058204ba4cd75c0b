import SyncCore
import Testing
import TielineCore

@Suite struct TimeframeTests {
    @Test func parsesEveryForm() throws {
        #expect(try Timeframe(parsing: "beginning-of-time") == .beginningOfTime)
        #expect(try Timeframe(parsing: "The beginning of time") == .beginningOfTime)
        #expect(try Timeframe(parsing: "since:2024-02-29") == .since(CalendarDate(year: 2024, month: 2, day: 29)))
        #expect(try Timeframe(parsing: "last:90d") == .last(90, .days))
        #expect(try Timeframe(parsing: "LAST:6M") == .last(6, .months))
        #expect(try Timeframe(parsing: "last:1y") == .last(1, .years))
    }

    @Test(arguments: ["", "forever", "since:2023-02-29", "since:2024-1-5", "since:", "last:0d", "last:-3d",
                      "last:10w", "last:d", "last:1.5y", "last:100001d"])
    func rejectsBadInput(text: String) {
        do {
            _ = try Timeframe(parsing: text)
            Issue.record("'\(text)' should not parse")
        } catch {
            #expect(error.code == .invalidTimeframe)
            #expect(error.message.contains("beginning-of-time"), "the error must show the valid forms")
        }
    }

    @Test func wordsAndArgumentsRoundTrip() throws {
        for text in ["beginning-of-time", "since:2025-01-31", "last:3m", "last:1d"] {
            #expect(try Timeframe(parsing: text).argument == text)
        }
        #expect(Timeframe.beginningOfTime.description == "The beginning of time")
        #expect(Timeframe.last(1, .days).description == "Last 1 day")
        #expect(SyncSettings(type: .deep, timeframe: .beginningOfTime).lines == ["Sync Type: Deep", "Timeframe: The beginning of time"])
    }

    @Test func startDates() throws {
        let today = try CalendarDate(year: 2026, month: 3, day: 31)
        #expect(Timeframe.beginningOfTime.startDate(today: today) == nil)
        #expect(Timeframe.last(1, .months).startDate(today: today) == (try CalendarDate(year: 2026, month: 2, day: 28)))
        #expect(Timeframe.last(10, .days).startDate(today: today) == (try CalendarDate(year: 2026, month: 3, day: 21)))
    }

    @Test func syncTypeArgument() throws {
        #expect(try SyncType(argument: "Deep") == .deep)
        #expect(throws: TielineError.self) { try SyncType(argument: "full") }
    }
}
