/// One executed statement with its open cursor, read row by row; `close()` frees it.
final class ODBCStatement {
    private let manager: ODBCDriverManager
    private var handle: SQLHandle?
    private let fail: (_ state: String?, _ message: String) -> ODBCError
    /// Each result column's name, described SQL type and scale.
    private(set) var columns: [(name: String, type: Int16, scale: Int16)] = []
    /// Memory the bound parameters point at, kept until the statement is freed.
    private var parameterMemory: [UnsafeMutableRawPointer] = []
    private var indicators: UnsafeMutablePointer<Int>?
    /// The SQLGetData buffer; grows (up to `maxBuffer`) when a driver announces a long value.
    private var buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 8192, alignment: 8)
    private static let maxBuffer = 4 << 20

    /// Executes `sql` with `parameters` bound to its `?` markers; `fail` turns diagnostics into an error.
    init(manager: ODBCDriverManager, connection: SQLHandle, sql: String, parameters: [ODBCValue],
         fail: @escaping (_ state: String?, _ message: String) -> ODBCError) throws(ODBCError) {
        self.manager = manager
        self.fail = fail
        var statement: SQLHandle?
        let rc = manager.allocHandle(SQL.handleStmt, connection, &statement)
        guard SQL.succeeded(rc), let statement else {
            let diagnostics = manager.diagnostics(SQL.handleDbc, connection)
            throw fail(diagnostics.state, "could not allocate a statement: \(diagnostics.message)")
        }
        handle = statement
        do throws(ODBCError) {
            try bind(parameters)
            var text = Array(sql.utf8)
            try check(manager.execDirect(statement, &text, Int32(text.count)), allowNoData: true)
            var count: Int16 = 0
            try check(manager.numResultCols(statement, &count))
            for column in 0..<Int(count) {
                var name = [UInt8](repeating: 0, count: 256)
                var nameLength: Int16 = 0, type: Int16 = 0, scale: Int16 = 0, nullable: Int16 = 0
                var size: UInt = 0
                try check(manager.describeCol(statement, UInt16(column + 1), &name, Int16(name.count), &nameLength,
                                              &type, &size, &scale, &nullable))
                columns.append((ODBCText.decode(name.prefix(max(0, min(Int(nameLength), name.count - 1)))), type, scale))
            }
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    /// Frees the statement handle and every buffer; safe to call twice.
    func close() {
        if let handle {
            _ = manager.freeStmt(handle, SQL.close)
            _ = manager.freeHandle(SQL.handleStmt, handle)
            self.handle = nil
        }
        parameterMemory.forEach { $0.deallocate() }
        parameterMemory = []
        indicators?.deallocate()
        indicators = nil
        if buffer.count > 0 {
            buffer.deallocate()
            buffer = UnsafeMutableRawBufferPointer(start: nil, count: 0)
        }
    }

    /// The number of rows the statement changed, where the driver counts them (-1 otherwise).
    func rowCount() throws(ODBCError) -> Int {
        var count = 0
        try check(manager.rowCount(handle, &count))
        return count
    }

    /// The next row, or nil after the last one.
    func next() throws(ODBCError) -> [ODBCValue]? {
        guard handle != nil, !columns.isEmpty else { return nil }
        let rc = manager.fetch(handle)
        if rc == SQL.noData { return nil }
        try check(rc)
        var row: [ODBCValue] = []
        row.reserveCapacity(columns.count)
        for (index, column) in columns.enumerated() {
            row.append(try value(column: index + 1, type: column.type, scale: column.scale))
        }
        return row
    }

    /// One column of the current row as text, fetched in as many SQLGetData calls as its length takes.
    private func value(column: Int, type: Int16, scale: Int16) throws(ODBCError) -> ODBCValue {
        var bytes: [UInt8] = []
        while true {
            var indicator = 0
            let rc = manager.getData(handle, UInt16(column), SQL.cChar, buffer.baseAddress, buffer.count, &indicator)
            if rc == SQL.noData { break }  // the previous call returned the last part
            try check(rc)
            if indicator == SQL.nullData { return .null }
            let room = buffer.count - 1  // the driver always writes a terminating NUL
            let truncated = rc == SQL.successWithInfo && (indicator == SQL.noTotal || indicator > room)
            let written = truncated ? room : (indicator >= 0 ? min(indicator, room) : strlen(buffer))
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<written]))
            guard truncated else { break }
            if indicator > room, buffer.count < Self.maxBuffer {
                // The driver said how much is left: fetch the rest in one call if it fits the cap.
                let size = min(max(indicator - room + 1, buffer.count * 2), Self.maxBuffer)
                buffer.deallocate()
                buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 8)
            }
        }
        return Self.typed(ODBCText.decode(bytes), type: type, scale: scale)
    }

    /// Text typed by the column's SQL type, as `ODBCValue` documents.
    static func typed(_ text: String, type: Int16, scale: Int16) -> ODBCValue {
        switch type {
        case SQL.integer, SQL.smallInt, SQL.bigInt, SQL.tinyInt, SQL.bit:
            break
        case SQL.decimal where scale == 0, SQL.numeric where scale == 0:
            break
        default:
            return .text(text)
        }
        return Int64(text.trimmingSpaces()).map { .integer($0) } ?? .text(text)
    }

    private func strlen(_ buffer: UnsafeMutableRawBufferPointer) -> Int {
        buffer.firstIndex(of: 0) ?? buffer.count
    }

    /// Binds text as SQL_C_CHAR/VARCHAR, integers as SQL_C_SBIGINT/BIGINT, NULL as a NULL VARCHAR.
    private func bind(_ parameters: [ODBCValue]) throws(ODBCError) {
        guard !parameters.isEmpty else { return }
        let indicators = UnsafeMutablePointer<Int>.allocate(capacity: parameters.count)
        self.indicators = indicators
        for (index, parameter) in parameters.enumerated() {
            let number = UInt16(index + 1)
            let indicator = indicators + index
            let rc: SQLReturn
            switch parameter {
            case .null:
                let memory = allocate(1)
                indicator.pointee = SQL.nullData
                rc = manager.bindParameter(handle, number, SQL.paramInput, SQL.cChar, SQL.varchar, 1, 0, memory, 1, indicator)
            case .integer(let value):
                let memory = allocate(8)
                memory.storeBytes(of: value, as: Int64.self)
                indicator.pointee = 0
                rc = manager.bindParameter(handle, number, SQL.paramInput, SQL.cSBigInt, SQL.bigInt, 19, 0, memory, 8, indicator)
            case .text(let text):
                let utf8 = Array(text.utf8)
                let memory = allocate(max(1, utf8.count))
                utf8.withUnsafeBytes { memory.copyMemory(from: $0.baseAddress!, byteCount: utf8.count) }
                indicator.pointee = utf8.count
                rc = manager.bindParameter(handle, number, SQL.paramInput, SQL.cChar, SQL.varchar,
                                           UInt(max(1, utf8.count)), 0, memory, utf8.count, indicator)
            }
            try check(rc)
        }
    }

    private func allocate(_ byteCount: Int) -> UnsafeMutableRawPointer {
        let memory = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 8)
        parameterMemory.append(memory)
        return memory
    }

    /// Throws the statement's diagnostics unless `rc` succeeded.
    private func check(_ rc: SQLReturn, allowNoData: Bool = false) throws(ODBCError) {
        if SQL.succeeded(rc) || (allowNoData && rc == SQL.noData) { return }
        if rc == SQL.invalidHandle { throw fail(nil, "invalid statement handle") }
        let diagnostics = manager.diagnostics(SQL.handleStmt, handle)
        throw fail(diagnostics.state, diagnostics.message.isEmpty ? "the driver returned \(rc)" : diagnostics.message)
    }
}
