import Catalogue
import Testing

/// The `hresult` family (issue 10, "codes people meet"): each entry's number,
/// name and source are pinned, so none can drift from MS-ERREF, Microsoft
/// Learn's WinHTTP error page or the report it rests on.
@Suite("Windows HRESULTs the clients pass on")
struct HResultCodesTests {
    let catalogue = TestCatalogue.shared

    @Test(
        "number → name → source",
        arguments: [
            (0x80072EE7, 0x2EE7, "ERROR_WINHTTP_NAME_NOT_RESOLVED", "Winhttp.h"),
            (0x80072EFD, 0x2EFD, "ERROR_WINHTTP_CANNOT_CONNECT", "Winhttp.h"),
            (0x80072EFE, 0x2EFE, "ERROR_WINHTTP_CONNECTION_ERROR", "Winhttp.h"),
            (0x80072EE2, 0x2EE2, "ERROR_WINHTTP_TIMEOUT", "Winhttp.h"),
            (0x80072F8F, 0x2F8F, "ERROR_WINHTTP_SECURE_FAILURE", "Winhttp.h"),
            (0x80072F0D, 0x2F0D, "ERROR_WINHTTP_SECURE_INVALID_CA", "Winhttp.h"),
            (0x80072F06, 0x2F06, "ERROR_WINHTTP_SECURE_CERT_CN_INVALID", "Winhttp.h"),
            (0x80072F05, 0x2F05, "ERROR_WINHTTP_SECURE_CERT_DATE_INVALID", "Winhttp.h"),
            (0x80072F19, 0x2F19, "ERROR_WINHTTP_SECURE_CERT_REV_FAILED", "Winhttp.h"),
            (0x80072F8A, 0x2F8A, "ERROR_WINHTTP_SECURE_CERT_REVOKED", "Winhttp.h"),
            (0x80072F7D, 0x2F7D, "ERROR_WINHTTP_SECURE_CHANNEL_ERROR", "Winhttp.h"),
            (0x80072F0C, 0x2F0C, "ERROR_WINHTTP_CLIENT_AUTH_CERT_NEEDED", "Winhttp.h"),
            (0x80072F78, 0x2F78, "ERROR_WINHTTP_INVALID_SERVER_RESPONSE", "Winhttp.h"),
            (0x800706BA, 0x6BA, "RPC_S_SERVER_UNAVAILABLE", "FreeRDP/FreeRDP#6103"),
            (0x800706BE, 0x6BE, "RPC_S_CALL_FAILED", "rzander/sccmclictr#206"),
        ] as [(UInt64, UInt64, String, String)])
    func win32Values(hresult: UInt64, win32: UInt64, name: String, source: String) throws {
        let entry = try #require(catalogue.entry(.hresult, hresult), "missing hresult:\(CodeNumber.hex(hresult))")
        #expect(entry.name == name)
        #expect(entry.source.contains(source))
        // HRESULT_FROM_WIN32: facility 7 with the failure bit, the Win32 number below.
        #expect(hresult == 0x8007_0000 | win32)
        #expect(catalogue.entry(.hresult, win32)?.name == name, "the bare Win32 number reads too")
    }

    @Test("WinHTTP entries say where users meet them is inferred")
    func winHTTPPlacementIsInferred() throws {
        let entry = try #require(catalogue.entry(.hresult, 0x80072EE7))
        #expect(entry.certainty == .documented)
        #expect(entry.meaning.contains("inferred"))
        #expect(entry.confirm.contains { $0.contains("--gateway") })
    }

    @Test("E_FAIL, CO_E_SERVER_EXEC_FAILURE and the AVD diagnostics code, with their reports")
    func genericAndServiceCodes() throws {
        let fail = try #require(catalogue.entry(.hresult, 0x80004005))
        #expect(fail.name == "E_FAIL" && fail.certainty == .reported)
        #expect(fail.source.contains("mRemoteNG/mRemoteNG#716") && fail.source.contains("diagnostics-role-service.md"))
        #expect(fail.aliases.contains("ConnectionFailedAdTrustedRelationshipFailure"))
        let com = try #require(catalogue.entry(.hresult, 0x80080005))
        #expect(com.name == "CO_E_SERVER_EXEC_FAILURE" && com.source.contains("mRemoteNG/mRemoteNG#3088"))
        let avd = try #require(catalogue.entry(.hresult, 0x80131500))
        #expect(avd.aliases.contains("ConnectionFailedClientDisconnect"))
        #expect(catalogue.entries(named: "ConnectionFailedNoHealthyRdshAvailable").contains { $0.entry.code.value == 0x80131500 })
    }
}
