import Foundation
import Logging
import SageStore
import SageModel
import Synchronization
import SyncCore
import Testing
import TielineCore
@testable import Agent

@Suite("Agent service: scheduled syncs, Deep on demand, resume after restart")
struct SyncServiceTests {
    /// A home folder with one connected connection, and the service's destination.
    final class AgentHome: @unchecked Sendable {
        let fixture: SageFixture
        let home: TielineHome
        let destination = MirrorDestination()
        let events = EventLog()

        init() throws {
            fixture = try SageFixture()
            try fixture.seed(jobs: 3, transactions: 12)
            home = TielineHome(url: fixture.folder.appendingPathComponent("home"))
            let store = AgentConfigStore(home: home)
            try FileManager.default.createDirectory(at: home.url, withIntermediateDirectories: true)
            try store.save(AgentConfig(connections: [SyncTest.connection(fixture, settings: SyncSettings())],
                                       hub: HubConnection(url: "http://hub.test", site: "acme")))
            try store.saveToken("secret")
        }

        func service(deepNow: Bool = false, interval: Duration = .seconds(60)) -> AgentService {
            let destination = destination
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            return AgentService(home: home, interval: interval, deepNow: deepNow, options: SyncTest.options(maxWait: .seconds(3)),
                                logger: logger, onEvent: events.record) { hub, _ in (destination, "hub at \(hub.url)") }
        }
    }

    @Test("a cycle syncs every connection incrementally, Deep when asked")
    func cycleSyncsConnections() async throws {
        let agent = try AgentHome()
        let service = agent.service()
        let first = await service.runCycle(deep: false)
        #expect(first.map(\.type) == ["incremental"] && first.map(\.status) == [.completed])
        try await SyncTest.expectMirrored(agent.destination, agent.fixture)
        let deep = await service.runCycle(deep: true)
        #expect(deep.map(\.type) == ["deep"] && deep.map(\.status) == [.completed])
        #expect(try AgentState.open(home: agent.home).history().count == 2)
    }

    @Test("after a restart the stopped run is resumed first, whatever its type")
    func restartResumesStoppedRun() async throws {
        let agent = try AgentHome()
        await agent.destination.goDown(afterApplied: 4)
        let service = agent.service()
        let stopped = await service.runCycle(deep: true)
        #expect(stopped.map(\.status) == [.interrupted])
        await agent.destination.set(down: false)
        let resumed = await agent.service().runCycle(deep: false)
        #expect(resumed.map(\.id) == stopped.map(\.id))
        #expect(resumed.map(\.type) == ["deep"] && resumed.map(\.status) == [.completed])
        #expect(await agent.destination.duplicateAcks == 0)
        try await SyncTest.expectMirrored(agent.destination, agent.fixture)
    }

    @Test("the service loop runs Deep first with --deep-now, then incremental, and stops gracefully")
    func loopRunsUntilStopped() async throws {
        let agent = try AgentHome()
        let stop = StopSignal()
        let finished = Counter()
        let service = AgentService(home: agent.home, interval: .seconds(5), deepNow: true, options: SyncTest.options(),
                                   onEvent: { event in
                                       agent.events.record(event)
                                       if case .runFinished = event, finished.increment() == 3 { stop.request() }
                                   }) { _, _ in (agent.destination, "hub") }
        try DeepSyncTrigger.request(home: agent.home)
        await service.loop(stop: stop)
        let types = try AgentState.open(home: agent.home).history().reversed().map(\.type)
        #expect(types == ["deep", "incremental", "incremental"])
        #expect(!DeepSyncTrigger.isRequested(home: agent.home), "a completed Deep sync clears the request")
    }

    /// A service group cancels (not gracefully shuts down) its services when one fails, e.g. a console port taken;
    /// a cancelled wait returns at once, so a loop that watched only its stop signal spun at full CPU for ever.
    @Test("a cancelled service loop returns after its current cycle", .timeLimit(.minutes(1)))
    func cancelledLoopReturns() async throws {
        let agent = try AgentHome()
        let cycles = Counter()
        let (firstCycle, reached) = AsyncStream<Void>.makeStream()
        let service = AgentService(home: agent.home, interval: .seconds(60), options: SyncTest.options(),
                                   onEvent: { event in if case .runFinished = event, cycles.increment() == 1 { reached.yield() } }) { _, _ in
            (agent.destination, "hub")
        }
        let loop = Task { await service.loop(stop: StopSignal()) }
        for await _ in firstCycle { break }
        loop.cancel()
        await loop.value
        #expect(cycles.increment() - 1 <= 2, "at most the cycle running when cancelled")
    }

    @Test("a Deep request file is picked up by the next cycle")
    func deepRequestFileIsHonoured() async throws {
        let agent = try AgentHome()
        let stop = StopSignal()
        let service = AgentService(home: agent.home, interval: .seconds(5), options: SyncTest.options(),
                                   onEvent: { event in if case .runFinished(let record) = event, record.type == "deep" { stop.request() } }) { _, _ in
            (agent.destination, "hub")
        }
        // The first cycle is incremental; the request arrives while the agent waits.
        _ = await service.runCycle(deep: false)
        try DeepSyncTrigger.request(home: agent.home)
        await service.loop(stop: stop)
        #expect(try AgentState.open(home: agent.home).history().first?.type == "deep")
    }

    @Test("two syncs of one connection never run at once")
    func connectionLockIsExclusive() throws {
        let agent = try AgentHome()
        let state = try AgentState.open(home: agent.home)
        let held = try state.lock(connection: "main")
        #expect(throws: TielineError.self) { _ = try state.lock(connection: "main") }
        _ = try state.lock(connection: "other")
        withExtendedLifetime(held) {}
    }
}
