#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#elseif os(Windows)
import WinSDK
#endif

// The ODBC driver manager (unixODBC, iODBC) is loaded at run time with dlopen, so the package builds
// and `tieline demo` runs on machines without it; only opening an ODBC connection needs it.
// Types as unixODBC and iODBC define them on 64-bit: SQLLEN/SQLULEN are 64-bit, SQLRETURN is Int16,
// handles are pointers. The narrow ("A") entry points are used: text is bytes in the driver's encoding.

typealias SQLHandle = UnsafeMutableRawPointer
typealias SQLReturn = Int16

enum SQL {
    static let handleEnv: Int16 = 1
    static let handleDbc: Int16 = 2
    static let handleStmt: Int16 = 3

    static let success: SQLReturn = 0
    static let successWithInfo: SQLReturn = 1
    static let noData: SQLReturn = 100
    static let error: SQLReturn = -1
    static let invalidHandle: SQLReturn = -2

    static let attrODBCVersion: Int32 = 200
    static let ov_odbc3 = 3
    static let driverNoPrompt: UInt16 = 0
    static let close: UInt16 = 0

    static let paramInput: Int16 = 1
    static let nullData = -1
    static let noTotal = -4

    // C types (what the application's buffer holds).
    static let cChar: Int16 = 1
    static let cSBigInt: Int16 = -25

    // SQL types (what the driver describes a column or parameter as).
    static let char: Int16 = 1
    static let numeric: Int16 = 2
    static let decimal: Int16 = 3
    static let integer: Int16 = 4
    static let smallInt: Int16 = 5
    static let varchar: Int16 = 12
    static let bigInt: Int16 = -5
    static let tinyInt: Int16 = -6
    static let bit: Int16 = -7

    static func succeeded(_ rc: SQLReturn) -> Bool { rc == success || rc == successWithInfo }
}

/// The driver manager's entry points, resolved once per process.
struct ODBCDriverManager: @unchecked Sendable {  // plain C function addresses, immutable once loaded
    typealias Handle = SQLHandle?
    typealias Bytes = UnsafeMutablePointer<UInt8>?

    let libraryName: String
    let allocHandle: @convention(c) (Int16, Handle, UnsafeMutablePointer<Handle>?) -> SQLReturn
    let freeHandle: @convention(c) (Int16, Handle) -> SQLReturn
    let setEnvAttr: @convention(c) (Handle, Int32, UnsafeMutableRawPointer?, Int32) -> SQLReturn
    let driverConnect: @convention(c) (Handle, UnsafeMutableRawPointer?, Bytes, Int16, Bytes, Int16,
                                       UnsafeMutablePointer<Int16>?, UInt16) -> SQLReturn
    let disconnect: @convention(c) (Handle) -> SQLReturn
    let execDirect: @convention(c) (Handle, Bytes, Int32) -> SQLReturn
    let bindParameter: @convention(c) (Handle, UInt16, Int16, Int16, Int16, UInt, Int16,
                                       UnsafeMutableRawPointer?, Int, UnsafeMutablePointer<Int>?) -> SQLReturn
    let numResultCols: @convention(c) (Handle, UnsafeMutablePointer<Int16>?) -> SQLReturn
    let describeCol: @convention(c) (Handle, UInt16, Bytes, Int16, UnsafeMutablePointer<Int16>?,
                                     UnsafeMutablePointer<Int16>?, UnsafeMutablePointer<UInt>?,
                                     UnsafeMutablePointer<Int16>?, UnsafeMutablePointer<Int16>?) -> SQLReturn
    let rowCount: @convention(c) (Handle, UnsafeMutablePointer<Int>?) -> SQLReturn
    let fetch: @convention(c) (Handle) -> SQLReturn
    let getData: @convention(c) (Handle, UInt16, Int16, UnsafeMutableRawPointer?, Int,
                                 UnsafeMutablePointer<Int>?) -> SQLReturn
    let getDiagRec: @convention(c) (Int16, Handle, Int16, Bytes, UnsafeMutablePointer<Int32>?, Bytes, Int16,
                                    UnsafeMutablePointer<Int16>?) -> SQLReturn
    let freeStmt: @convention(c) (Handle, UInt16) -> SQLReturn

    /// The libraries tried, in order, on this platform.
    static var candidates: [String] {
        #if os(macOS)
        ["libiodbc.2.dylib", "libodbc.2.dylib", "/opt/homebrew/lib/libodbc.2.dylib", "/usr/local/lib/libodbc.2.dylib"]
        #elseif os(Windows)
        ["odbc32.dll"]
        #else
        ["libodbc.so.2", "libodbc.so"]
        #endif
    }

    /// The process-wide driver manager, loaded on first use.
    static let shared: Result<ODBCDriverManager, ODBCError> = Result { () throws(ODBCError) in try load(from: candidates) }

    /// Loads the first of `names` that opens and resolves every entry point.
    static func load(from names: [String]) throws(ODBCError) -> ODBCDriverManager {
        var reasons: [String] = []
        for name in names {
            #if canImport(Glibc) || canImport(Musl) || canImport(Darwin)
            guard let library = dlopen(name, RTLD_NOW | RTLD_LOCAL) else {
                reasons.append(dlerror().map { String(cString: $0) } ?? "\(name): cannot be opened")
                continue
            }
            // Never dlclose: the function pointers live as long as the process.
            return try resolve(name) { dlsym(library, $0) }
            #elseif os(Windows)
            // Windows' own driver manager (not compiled or tested here: there is no Windows build in CI).
            guard let library = LoadLibraryA(name) else {
                reasons.append("\(name): cannot be loaded (error \(GetLastError()))")
                continue
            }
            return try resolve(name) { symbolName in GetProcAddress(library, symbolName).map { unsafeBitCast($0, to: UnsafeMutableRawPointer.self) } }
            #else
            reasons.append("\(name): loading libraries at run time is not supported on this platform")
            #endif
        }
        throw ODBCError(.driverManagerMissing,
                        "the ODBC driver manager is not installed: tried \(names.joined(separator: ", "))"
                        + (reasons.isEmpty ? "" : " (\(reasons.joined(separator: "; ")))") + ". " + installHint)
    }

    /// Every entry point of the library `name`, found through `lookup`.
    static func resolve(_ name: String, _ lookup: (String) -> UnsafeMutableRawPointer?) throws(ODBCError) -> ODBCDriverManager {
        func symbol<T>(_ symbolName: String) throws(ODBCError) -> T {
            guard let address = lookup(symbolName) else {
                throw ODBCError(.driverManagerMissing, "\(name) has no \(symbolName); it is not an ODBC 3 driver manager. " + installHint)
            }
            return unsafeBitCast(address, to: T.self)
        }
        return ODBCDriverManager(
            libraryName: name,
            allocHandle: try symbol("SQLAllocHandle"),
            freeHandle: try symbol("SQLFreeHandle"),
            setEnvAttr: try symbol("SQLSetEnvAttr"),
            driverConnect: try symbol("SQLDriverConnect"),
            disconnect: try symbol("SQLDisconnect"),
            execDirect: try symbol("SQLExecDirect"),
            bindParameter: try symbol("SQLBindParameter"),
            numResultCols: try symbol("SQLNumResultCols"),
            describeCol: try symbol("SQLDescribeCol"),
            rowCount: try symbol("SQLRowCount"),
            fetch: try symbol("SQLFetch"),
            getData: try symbol("SQLGetData"),
            getDiagRec: try symbol("SQLGetDiagRec"),
            freeStmt: try symbol("SQLFreeStmt"))
    }

    static let installHint = "Install unixODBC: apt-get install unixodbc (Debian/Ubuntu), brew install unixodbc (macOS); "
        + "on Windows the driver manager ships with the system."

    /// Every diagnostic record of a handle: the first SQLSTATE and all messages joined.
    func diagnostics(_ handleType: Int16, _ handle: SQLHandle?) -> (state: String?, message: String) {
        var state: String?
        var messages: [String] = []
        var record: Int16 = 1
        while record <= 20 {
            var stateBytes = [UInt8](repeating: 0, count: 6)
            var native: Int32 = 0
            var text = [UInt8](repeating: 0, count: 1024)
            var length: Int16 = 0
            let rc = getDiagRec(handleType, handle, record, &stateBytes, &native, &text, Int16(text.count), &length)
            guard SQL.succeeded(rc) else { break }
            if state == nil { state = ODBCText.decode(stateBytes.prefix { $0 != 0 }) }
            let count = min(Int(length), text.count - 1)
            messages.append(ODBCText.decode(text.prefix(max(0, count))))
            record += 1
        }
        return (state, messages.joined(separator: "; "))
    }
}
