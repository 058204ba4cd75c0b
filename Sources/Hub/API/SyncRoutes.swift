import Foundation
import Hummingbird
import NIOCore
import SyncCore
import TielineCore

/// `/v1/sync/runs`: open, feed, complete and finish sync runs; list them.
struct SyncRoutes {
    let storage: any HubStorage
    let metrics: HubMetrics
    let maxBatchBytes: Int
    let queue: ExportQueue
    let gate: BatchGate

    /// The body of `POST /v1/sync/runs/{runID}/finish`.
    struct Finish: Codable {
        var status: String
        var error: String?
    }

    struct Opened: Codable {
        var runID: String
        var resumed: Bool
    }

    struct Completed: Codable {
        var entity: String
        var removed: Int
    }

    func add(to group: RouterGroup<HubRequestContext>) {
        group.post { request, context in
            let site = try context.requireSite()
            let start = try await JSONBody.decode(SyncRunStart.self, from: request, what: "SyncRunStart")
            for entity in start.entities { try Self.requireCatalog(entity) }
            let resumed = try await storage.beginRun(start, site: site)
            return JSONBody.response(Opened(runID: start.runID, resumed: resumed), status: resumed ? .ok : .created)
        }
        group.get { request, context in
            let site = try context.requireSite()
            let limit = try QueryNumbers.integer(request, "limit", default: 100, in: 1...1000)
            return JSONBody.response(try await storage.runs(site: site, limit: limit))
        }
        group.post(":runID/batches") { request, context in
            let site = try context.requireSite()
            let runID = try context.parameters.require("runID")
            let declared = try checkBatchRequest(request)
            // The body is read only once the gate lets the batch in, so waiting batches cost no memory.
            let ack = try await gate.run(bytes: declared ?? maxBatchBytes) {
                let body = try await readBody(request, declared: declared)
                let header = try body.withUnsafeReadableBytes { raw in
                    Result { () throws(TielineError) -> SyncBatchHeader in try SyncWire.header(raw) }
                }.get()
                guard header.runID == runID else {
                    throw TielineError(.invalidBatch, "batch belongs to run '\(header.runID)' but was posted to run '\(runID)'")
                }
                try Self.requireCatalog(header.entity)
                // A redelivery is answered from its receipt, without looking at rows already applied.
                if let applied = try await storage.appliedBatch(header, site: site) {
                    return SyncBatchAck(entity: header.entity, sequence: header.sequence, applied: applied, duplicate: true)
                }
                return try await storage.applyBatch(wire: body, site: site)
            }
            metrics.countBatch(applied: ack.applied, duplicate: ack.duplicate)
            context.logger.debug("batch", metadata: ["entity": "\(ack.entity)", "sequence": "\(ack.sequence)",
                                                     "applied": "\(ack.applied)", "duplicate": "\(ack.duplicate)"])
            return JSONBody.response(ack)
        }
        group.post(":runID/entities/complete") { request, context in
            let site = try context.requireSite()
            let runID = try context.parameters.require("runID")
            let completion = try await JSONBody.decode(EntityCompletion.self, from: request, what: "EntityCompletion")
            try Self.requireCatalog(completion.entity)
            guard completion.runID == runID else {
                throw TielineError(.invalidInput, "completion names run '\(completion.runID)' but was posted to run '\(runID)'")
            }
            let removed = try await storage.completeEntity(completion, site: site)
            metrics.countRemoved(removed)
            return JSONBody.response(Completed(entity: completion.entity, removed: removed))
        }
        group.post(":runID/finish") { request, context in
            let site = try context.requireSite()
            let runID = try context.parameters.require("runID")
            let finish = try await JSONBody.decode(Finish.self, from: request, what: "run outcome {status, error}")
            try await storage.finishRun(runID: runID, status: finish.status, error: finish.error, site: site)
            if finish.status == "completed" || finish.status == "succeeded" {
                // A sync that brought Sage's change orders up may show edits made in Sage after an export.
                do { try await queue.checkDrift(site: site) } catch {
                    context.logger.warning("drift check failed: \(error)")
                }
            }
            return JSONBody.response(["runID": runID, "status": finish.status])
        }
    }

    /// Only the entity catalog's entities are mirrored; anything else is refused, not stored.
    static func requireCatalog(_ entity: String) throws {
        guard EntityCatalog.entity(named: entity) != nil else {
            throw TielineError(.unknownEntity, "'\(entity.prefix(100))' is not an entity of the catalog; the hub mirrors only: \(EntityCatalog.all.map(\.name).joined(separator: ", "))")
        }
    }

    /// Refuses the wrong content type or a declared size over the limit before anything is read; returns the declared size.
    func checkBatchRequest(_ request: Request) throws -> Int? {
        let type = request.headers[.contentType] ?? ""
        guard type.split(separator: ";").first.map({ $0.trimmingCharacters(in: .whitespaces) }) == SyncWire.contentType else {
            throw TielineError(.unsupportedMediaType,
                "a batch must be sent as \(SyncWire.contentType) (SyncWire.encode), not '\(type.isEmpty ? "no content type" : type)'")
        }
        let declared = request.headers[.contentLength].flatMap({ Int($0) })
        if let declared, declared > maxBatchBytes { throw tooLarge }
        return declared
    }

    var tooLarge: TielineError {
        TielineError(.payloadTooLarge, "batch is larger than the hub's limit of \(maxBatchBytes) bytes; send fewer rows per batch")
    }

    /// Reads a batch body into one buffer of its declared size (no doubling copies), never more than the limit.
    func readBody(_ request: Request, declared: Int?) async throws -> ByteBuffer {
        var body = ByteBufferAllocator().buffer(capacity: min(declared ?? 0, maxBatchBytes))
        for try await chunk in request.body {
            guard body.readableBytes + chunk.readableBytes <= maxBatchBytes else { throw tooLarge }
            body.writeImmutableBuffer(chunk)
        }
        return body
    }
}
