import Agent
import Foundation
import ServiceLifecycle
import Synchronization
import SyncCore
import TielineCore

/// Syncs started from the console's Sync tab and their live progress, for the progress page.
/// Each job syncs its ticked connections one after another with `SyncRunner`, like `tieline sync run`.
///
/// A service of the console's group: `start` only queues a job, and `run()` runs each queued job as one of its
/// child tasks. A graceful shutdown asks every job to stop (each finishes and checkpoints its current batch, and
/// its run is recorded interrupted, to resume next time) and returns once all of them have.
public final class SyncJobs: Service, Sendable {
    /// One entity's line on the progress page.
    struct EntityLine: Sendable {
        var name: String
        var rows: Int
        var estimated: Int
        var status: String
    }

    /// One connection of a job.
    struct ConnectionLine: Sendable {
        var name: String
        var status: String
        var message: String?
        var runID: String?
        var rowsSent: Int
        var entities: [EntityLine]
    }

    /// A job as the progress page shows it.
    struct Job: Sendable {
        var id: String
        var startedAt: Date
        var finished: Bool
        var connections: [ConnectionLine]
    }

    /// What to sync for one ticked connection: the entities left ticked after Deselect All.
    struct Item: Sendable {
        var connection: String
        var entities: [String]
    }

    private let jobs = Mutex<[String: Job]>([:])
    private let order = Mutex<[String]>([])
    /// The stop of every job queued or running.
    private let stops = Mutex<[String: StopSignal]>([:])
    /// Jobs waiting for `run()` to start them.
    private let queued: AsyncStream<@Sendable () async -> Void>
    private let queue: AsyncStream<@Sendable () async -> Void>.Continuation

    init() {
        (queued, queue) = AsyncStream.makeStream()
    }

    /// Runs the queued jobs, each as a child task, until a graceful shutdown (or cancellation) has stopped them all.
    /// Runs once: a console started again is a new `AgentConsole`, with jobs of its own.
    public func run() async {
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await withDiscardingTaskGroup { group in
                    for await job in queued {
                        group.addTask { await job() }
                    }
                }
            } onGracefulShutdown: {
                self.stopAll()
            }
        } onCancel: {
            self.stopAll()
        }
    }

    /// The job's current state.
    func job(_ id: String) -> Job? { jobs.withLock { $0[id] } }

    /// Queues a sync of `items` (run by `run()`) and returns the job's id at once.
    func start(_ items: [Item], home: TielineHome, makeDestination: @escaping AgentService.DestinationFactory) -> String {
        let id = UUID().uuidString.lowercased()
        let job = Job(id: id, startedAt: Date(), finished: false, connections: items.map {
            ConnectionLine(name: $0.connection, status: "waiting", rowsSent: 0,
                           entities: $0.entities.map { EntityLine(name: $0, rows: 0, estimated: 0, status: "waiting") })
        })
        jobs.withLock { $0[id] = job }
        order.withLock { order in
            order.append(id)
            // Keeps the last 20 jobs; older ones are history in agent.sqlite anyway.
            while order.count > 20 {
                let old = order.removeFirst()
                jobs.withLock { _ = $0.removeValue(forKey: old) }
            }
        }
        let stop = StopSignal()
        stops.withLock { $0[id] = stop }
        let queuing = queue.yield { [self] in
            for (index, item) in items.enumerated() where !stop.isRequested {
                await run(item, index: index, jobID: id, home: home, stop: stop, makeDestination: makeDestination)
            }
            update(id) { $0.finished = true }
            _ = stops.withLock { $0.removeValue(forKey: id) }
        }
        if case .terminated = queuing {
            // The console is shutting down: nothing runs any more.
            _ = stops.withLock { $0.removeValue(forKey: id) }
            update(id) { job in
                job.finished = true
                for index in job.connections.indices {
                    job.connections[index].status = "failed"
                    job.connections[index].message = "the console is shutting down"
                }
            }
        }
        return id
    }

    /// Asks every job to stop after its current batch, and takes no new ones: `run()` returns once they have stopped.
    func stopAll() {
        // Finished first: a job queued after this is refused, one queued before it is in `stops` already.
        queue.finish()
        for stop in stops.withLock({ Array($0.values) }) { stop.request() }
    }

    private func run(_ item: Item, index: Int, jobID: String, home: TielineHome, stop: StopSignal,
                     makeDestination: AgentService.DestinationFactory) async {
        update(jobID) { $0.connections[index].status = "running" }
        do {
            let store = AgentConfigStore(home: home)
            let config = try store.load()
            let connection = try config.connection(item.connection)
            guard let hub = config.hub, let token = try store.loadToken(), !token.isEmpty else {
                throw TielineError(.notConnected, "not connected to a hub; fill in the Connect tab first")
            }
            let made = try makeDestination(hub, token)
            var options = SyncOptions(destinationName: made.name)
            // A console user watches the page: give up on a silent hub after a minute (the run resumes next time).
            options.retry.maxWait = .seconds(60)
            let runner = SyncRunner(state: try AgentState.open(home: home), destination: made.destination, options: options,
                                    stop: stop) { [self] event in note(event, jobID: jobID, index: index) }
            let record = try await runner.run(SyncRequest(connection: connection, only: item.entities))
            update(jobID) { job in
                job.connections[index].status = record.status.rawValue
                job.connections[index].runID = record.id
                job.connections[index].rowsSent = record.rowsSent
                job.connections[index].message = record.error
            }
        } catch {
            update(jobID) { job in
                job.connections[index].status = "failed"
                job.connections[index].message = (error as? TielineError)?.message ?? "\(error)"
            }
        }
    }

    private func note(_ event: SyncEvent, jobID: String, index: Int) {
        update(jobID) { job in
            var line = job.connections[index]
            switch event {
            case .runStarted(let runID, _, let type, let timeframe, let entities, let resumed):
                line.runID = runID
                line.message = "\(resumed ? "Resumed" : "Started") \(type.displayName) sync, \(timeframe)"
                line.entities = entities.map { EntityLine(name: $0, rows: 0, estimated: 0, status: "waiting") }
            case .entityStarted(let entity, let estimated):
                line.entities = line.entities.map { $0.name == entity ? EntityLine(name: entity, rows: 0, estimated: estimated, status: "running") : $0 }
            case .progress(let p):
                line.entities = line.entities.map { $0.name == p.entity ? EntityLine(name: p.entity, rows: p.rows, estimated: p.estimatedRows, status: "running") : $0 }
            case .entityFinished(let entity, let upserts, let deletes, _):
                line.entities = line.entities.map {
                    $0.name == entity ? EntityLine(name: entity, rows: upserts + deletes, estimated: max($0.estimated, upserts + deletes), status: "done") : $0
                }
            case .waiting(let message, _, _):
                line.message = message
            case .runFinished(let record):
                line.rowsSent = record.rowsSent
            }
            job.connections[index] = line
        }
    }

    private func update(_ id: String, _ change: (inout Job) -> Void) {
        jobs.withLock { table in
            guard var job = table[id] else { return }
            change(&job)
            table[id] = job
        }
    }
}
