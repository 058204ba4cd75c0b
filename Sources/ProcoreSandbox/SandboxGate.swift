import Foundation
import Procore
import TielineCore

/// What the gate decided for an API request before routing.
enum GateDecision {
    case answer(SandboxReply)
    case drop
    /// Route it, after waiting `delay` real seconds (the slow-response fault).
    case proceed(rateHeaders: [(String, String)], delay: Double)
}

/// Rate limits, faults, OAuth and the company header: everything in front of the routes.
extension SandboxData {
    /// Counts the request against the window and applies faults, auth and the company header.
    mutating func gate(_ r: SandboxRequest, now: Date, limit: Int, window: Double,
                       spikeLimit: Int = 0, spikeWindow: Double = 10) -> GateDecision {
        requestCount += 1
        requestLog.append("\(r.method) \(r.path)")
        if let start = rateWindowStart, now.timeIntervalSince(start) < window {
            rateUsed += 1
        } else {
            rateWindowStart = now
            rateUsed = 1
        }
        let reset = Int((rateWindowStart!.timeIntervalSince1970 + window).rounded(.up))
        let hourly = [("X-Rate-Limit-Limit", String(limit)), ("X-Rate-Limit-Remaining", String(max(0, limit - rateUsed))),
                      ("X-Rate-Limit-Reset", String(reset))]
        var spike: [(String, String)] = []
        if spikeLimit > 0 {
            if let start = spikeWindowStart, now.timeIntervalSince(start) < spikeWindow {
                spikeUsed += 1
            } else {
                spikeWindowStart = now
                spikeUsed = 1
            }
            let spikeReset = Int((spikeWindowStart!.timeIntervalSince1970 + spikeWindow).rounded(.up))
            spike = [("X-Rate-Limit-Limit", String(spikeLimit)), ("X-Rate-Limit-Remaining", String(max(0, spikeLimit - spikeUsed))),
                     ("X-Rate-Limit-Reset", String(spikeReset))]
        }
        // plan_your_app/rate_limiting.md: the headers report the limit the app is most likely to exceed
        // first — the spike window until the hourly one is nearly spent.
        var rate = spikeLimit > 0 && spikeLimit - spikeUsed <= limit - rateUsed ? spike : hourly

        if faults.dropBurst > 0 { faults.dropBurst -= 1; return .drop }
        if faults.rateLimitBurst > 0 {
            faults.rateLimitBurst -= 1
            let burstReset = Int(now.timeIntervalSince1970.rounded(.down)) + faults.rateLimitResetSeconds
            rate = [("X-Rate-Limit-Limit", String(limit)), ("X-Rate-Limit-Remaining", "0"), ("X-Rate-Limit-Reset", String(burstReset))]
            return .answer(.error(429, "Rate limit exceeded", headers: rate))
        }
        if rateUsed > limit {
            // Failed calls count too, as at Procore: hammering through a 429 only digs deeper.
            rateLimitedCount += 1
            return .answer(.error(429, "Rate limit exceeded", headers: hourly))
        }
        if spikeLimit > 0, spikeUsed > spikeLimit {
            spikeLimitedCount += 1
            return .answer(.error(429, "Rate limit exceeded (spike)", headers: spike))
        }
        if faults.unavailableBurst > 0 {
            faults.unavailableBurst -= 1
            return .answer(.error(503, "Service Unavailable", headers: rate + [("Retry-After", String(faults.unavailableRetryAfter))]))
        }
        if faults.serverErrorBurst > 0 {
            faults.serverErrorBurst -= 1
            return .answer(.error(500, "Internal Server Error", headers: rate))
        }
        guard let auth = r.header("Authorization"), auth.hasPrefix("Bearer ") else {
            return .answer(.error(401, "401 Unauthorized: missing bearer token", headers: rate))
        }
        guard let expiry = tokens[String(auth.dropFirst(7))], expiry > now else {
            return .answer(.error(401, "401 Unauthorized: the access token is invalid or has expired", headers: rate))
        }
        // The docs require the header on every call (tutorials/tutorial_mpz.md). Independent clients that work
        // against Procore (pyprocore, ProPyCore, procore) leave it off where the company is already named — in the
        // path (/companies/{id}/…), in `company_id=`, or on /me and /companies — so the sandbox takes those as
        // Procore evidently does (README: where the sandbox departs from the docs). Elsewhere it is required.
        guard let company = r.header("Procore-Company-Id") ?? Self.namedCompany(r, own: companyID) else {
            // The text procore/documentation (tutorials/tutorial_mpz.md) shows; its status the docs do not give.
            return .answer(.error(400, "Missing Procore-Company-Id header!\n\nEach call your application makes to the Procore API must contain a request header that includes the Procore-Company-Id field. \nThis request header field specifies the id of the company into which you are making the call.", headers: rate))
        }
        guard company == String(companyID) else {
            return .answer(.error(403, "no access to company \(company.clipped(20))", headers: rate))
        }
        if faults.slowBurst > 0 {
            faults.slowBurst -= 1
            return .proceed(rateHeaders: rate, delay: faults.slowSeconds)
        }
        return .proceed(rateHeaders: rate, delay: 0)
    }

    /// The company a request names without the header: in its path or query, or implicitly on /me and /companies.
    static func namedCompany(_ r: SandboxRequest, own: Int) -> String? {
        let s = r.segments
        if s.count >= 4, s[0] == "rest", s[2] == "companies" { return s[3] }
        if let query = r.query["company_id"] { return query }
        if s.count == 3, s[0] == "rest", s[1] == "v1.0", s[2] == "me" || s[2] == "companies" { return String(own) }
        return nil
    }

    /// A successful answer, possibly spoiled by the malformed-body fault; a list page served is logged.
    mutating func finish(_ reply: SandboxReply, for r: SandboxRequest, rateHeaders: [(String, String)]) -> SandboxReply {
        var reply = reply
        if reply.status == 200, let per = reply.headers.first(where: { $0.0 == "Per-Page" }).flatMap({ Int($0.1) }) {
            let total = reply.headers.first { $0.0 == "Total" }.flatMap { Int($0.1) } ?? 0
            pagesServed.append(SandboxServedPage(path: r.path, page: Int(r.query["page"] ?? "1") ?? 1, perPage: per, total: total))
        }
        reply.headers += rateHeaders
        if (200..<300).contains(reply.status), faults.malformedBurst > 0 {
            faults.malformedBurst -= 1
            reply.raw = String((reply.json?.serialized() ?? "{}").prefix(12)) + "<html>oops"
        }
        return reply
    }

    /// `/sandbox/...`: faults, PCCO creation and counters, for tests and the demo.
    mutating func control(_ r: SandboxRequest, now: Date) -> SandboxReply {
        do {
            switch (r.method, r.path) {
            case ("GET", "/sandbox/faults"):
                return .ok(faults.json)
            case ("PUT", "/sandbox/faults"), ("POST", "/sandbox/faults"):
                faults = try SandboxFaults(json: try r.json)
                return .ok(faults.json)
            case ("POST", "/sandbox/pccos"):
                let spec = r.body.isEmpty ? PCCOSpec() : try PCCOSpec(json: try r.json)
                let (pcco, requestID) = try createPCCO(spec, now: now)
                var reply = SandboxReply.ok(.object(["prime_change_order": pccoJSON(pcco), "erp_request_id": requestID.map(Self.num) ?? .null]))
                reply.status = 201
                return reply
            case ("POST", "/sandbox/erp_requests"):
                let requestID = try enqueueERPRequest(document: try r.json, now: now)
                var reply = SandboxReply.ok(.object(["erp_request_id": Self.num(requestID)]))
                reply.status = 201
                return reply
            case ("GET", "/sandbox/ready_to_import"):
                return .ok(.array(readyToImport.map(stagedJSON)))
            case ("POST", "/sandbox/import_all"):
                return .ok(.object(["imported": Self.num(try importAll(now: now))]))
            case ("POST", _) where r.segments.count == 4 && r.segments[1] == "staged_records" && r.segments[3] == "import":
                guard let id = Int(r.segments[2]) else { return .error(404, "staged record not found") }
                return .ok(try importStaged(id, now: now))
            case ("GET", "/sandbox/served_pages"):
                // Which list pages were served, with their per_page: proof that a client really paged.
                return .ok(.array(pagesServed.map { .object(["path": .string($0.path), "page": Self.num($0.page),
                                                             "per_page": Self.num($0.perPage), "total": Self.num($0.total)]) }))
            case ("GET", "/sandbox/stats"):
                return .ok(.object(["request_count": Self.num(requestCount), "rate_limited_count": Self.num(rateLimitedCount),
                                    "projects": Self.num(projects.count), "prime_change_orders": Self.num(pccos.count),
                                    "erp_requests": Self.num(erpRequests.count)]))
            default:
                return .error(404, "no sandbox route for \(r.method) \(r.path)")
            }
        } catch {
            return .error(422, error.message)
        }
    }
}
