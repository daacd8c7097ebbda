import XCTest
@testable import KakapoCore

/// keactrl.conf as kakapoctl reads it: the subset of sh assignments Kea's files use, with sh's
/// quoting and expansion, and a line-numbered error for anything else.
final class KeactrlConfTests: XCTestCase {
    private func parse(_ text: String, env: [String: String] = [:]) throws -> KeactrlConf {
        try KeactrlConf.parse(text, environment: env)
    }

    private func error(_ text: String) -> KeactrlConfError? {
        do {
            _ = try KeactrlConf.parse(text)
            return nil
        } catch {
            return error
        }
    }

    /// Kea 2.4's keactrl.conf as installed with prefix /usr (keactrl.conf.in after configure).
    func testKeaInstalledFile() throws {
        let text = """
        #!/bin/sh
        # This is a configuration file for keactrl script which controls
        # the startup, shutdown, reconfiguration and gathering the status
        # of the Kea's processes.

        # Note that control agent must be launched after servers and netconf last.

        # shellcheck disable=SC2034
        # SC2034: ... appears unused. Verify use (or export if used externally).

        # prefix holds the location where the Kea is installed.
        prefix="/usr"

        # Location of Kea configuration files.
        kea_dhcp4_config_file="/etc/kea/kea-dhcp4.conf"
        kea_dhcp6_config_file="/etc/kea/kea-dhcp6.conf"
        kea_dhcp_ddns_config_file="/etc/kea/kea-dhcp-ddns.conf"
        kea_ctrl_agent_config_file="/etc/kea/kea-ctrl-agent.conf"
        kea_netconf_config_file="/etc/kea/kea-netconf.conf"

        # Location of Kea binaries.
        exec_prefix="${prefix}"
        dhcp4_srv="${exec_prefix}/sbin/kea-dhcp4"
        dhcp6_srv="${exec_prefix}/sbin/kea-dhcp6"
        dhcp_ddns_srv="${exec_prefix}/sbin/kea-dhcp-ddns"
        ctrl_agent_srv="${exec_prefix}/sbin/kea-ctrl-agent"
        netconf_srv="${exec_prefix}/sbin/kea-netconf"

        # Start DHCPv4 server?
        dhcp4=yes

        # Start DHCPv6 server?
        dhcp6=yes

        # Start DHCP DDNS server?
        dhcp_ddns=no

        # Start Control Agent?
        ctrl_agent=yes

        # Start Netconf?
        netconf=no

        # Be verbose?
        kea_verbose=no

        """
        let conf = try parse(text)
        XCTAssertEqual(conf["prefix"], "/usr")
        XCTAssertEqual(conf["dhcp4_srv"], "/usr/sbin/kea-dhcp4")
        XCTAssertEqual(conf["ctrl_agent_srv"], "/usr/sbin/kea-ctrl-agent")
        XCTAssertEqual(conf["kea_dhcp_ddns_config_file"], "/etc/kea/kea-dhcp-ddns.conf")
        XCTAssertTrue(conf.isEnabled("dhcp4"))
        XCTAssertTrue(conf.isEnabled("ctrl_agent"))
        XCTAssertFalse(conf.isEnabled("dhcp_ddns"))
        XCTAssertFalse(conf.isEnabled("netconf"))
        XCTAssertEqual(conf["kea_verbose"], "no")
        XCTAssertEqual(conf.order.first, "prefix")
        XCTAssertEqual(conf.order.count, 18)
    }

    /// The file this repository ships: unquoted values and ${...} chained through variables.
    func testShippedExample() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../examples/kakapoctl.conf").standardized.path
        let conf = try parse(try String(contentsOfFile: path, encoding: .utf8))
        XCTAssertEqual(conf["dhcp4_srv"], "/usr/local/sbin/kakapo-dhcp4")
        XCTAssertEqual(conf["dhcp_ddns_srv"], "/usr/local/sbin/kakapo-dhcp-ddns")
        XCTAssertEqual(conf["ctrl_agent_srv"], "/usr/local/sbin/kakapo-ctrl-agent")
        XCTAssertEqual(conf["kea_dhcp6_config_file"], "/usr/local/etc/kakapo/kakapo-dhcp6.conf")
        XCTAssertTrue(conf.isEnabled("dhcp4"))
        XCTAssertTrue(conf.isEnabled("dhcp6"))
        XCTAssertFalse(conf.isEnabled("dhcp_ddns"))
        for name in ["dhcp4_srv", "dhcp6_srv", "dhcp_ddns_srv", "ctrl_agent_srv",
                     "kea_dhcp4_config_file", "kea_dhcp6_config_file", "kea_dhcp_ddns_config_file",
                     "kea_ctrl_agent_config_file", "kea_verbose"] {
            XCTAssertNotNil(conf[name], name)
        }
    }

    func testQuotingAndConcatenation() throws {
        let conf = try parse(#"""
        a='single $x "kept"'
        b="double \"q\" \$x \\ \n"
        c=un\ quoted
        d=one"two"'three'
        e=
        f=""
        g=a#b
        """#)
        XCTAssertEqual(conf["a"], #"single $x "kept""#)
        XCTAssertEqual(conf["b"], #"double "q" $x \ \n"#)
        XCTAssertEqual(conf["c"], "un quoted")
        XCTAssertEqual(conf["d"], "onetwothree")
        XCTAssertEqual(conf["e"], "")
        XCTAssertEqual(conf["f"], "")
        XCTAssertEqual(conf["g"], "a#b", "# inside a word is not a comment")
    }

    func testExpansionOrderEnvironmentAndUnset() throws {
        let conf = try parse("""
        early=${prefix}/x
        prefix=/opt/k
        late=$prefix/sbin
        braced=${prefix}sbin
        home=$HOME/k
        unset=[${nothing}]
        dollar=a$ b=$
        prefix=/again
        """, env: ["HOME": "/root", "prefix": "/env"])
        XCTAssertEqual(conf["early"], "/env/x", "before the file assigns it, the environment's value")
        XCTAssertEqual(conf["late"], "/opt/k/sbin")
        XCTAssertEqual(conf["braced"], "/opt/ksbin")
        XCTAssertEqual(conf["home"], "/root/k")
        XCTAssertEqual(conf["unset"], "[]")
        XCTAssertEqual(conf["dollar"], "a$")
        XCTAssertEqual(conf["b"], "$")
        XCTAssertEqual(conf["prefix"], "/again", "the last assignment wins")
        XCTAssertEqual(conf.order.filter { $0 == "prefix" }.count, 1)
    }

    func testSeveralAssignmentsCommentsExportAndSemicolons() throws {
        let conf = try parse("a=1 b=2   # trailing comment\n  export c=3; d=4\r\n\te=\"multi\nline\"\nf=5\n")
        XCTAssertEqual(conf["a"], "1")
        XCTAssertEqual(conf["b"], "2")
        XCTAssertEqual(conf["c"], "3")
        XCTAssertEqual(conf["d"], "4")
        XCTAssertEqual(conf["e"], "multi\nline")
        XCTAssertEqual(conf["f"], "5")
    }

    func testIsEnabledIgnoresCaseOnly() throws {
        let conf = try parse("a=YES\nb=Yes\nc=y\nd=yes-please\ne=no\n")
        XCTAssertTrue(conf.isEnabled("a"))
        XCTAssertTrue(conf.isEnabled("b"))
        XCTAssertFalse(conf.isEnabled("c"))
        XCTAssertFalse(conf.isEnabled("d"))
        XCTAssertFalse(conf.isEnabled("e"))
        XCTAssertFalse(conf.isEnabled("missing"))
    }

    func testRefusesShellItCannotReadWithLineNumbers() {
        XCTAssertEqual(error("a=1\n\necho hello\n")?.line, 3)
        XCTAssertEqual(error("a=1\nb=$(cat /etc/x)\n")?.line, 2)
        XCTAssertEqual(error("a=`date`\n")?.line, 1)
        XCTAssertEqual(error("a=\"`date`\"\n")?.line, 1)
        XCTAssertEqual(error("x=1\na=${b:-c}\n")?.line, 2)
        XCTAssertEqual(error("a=1 > /tmp/out\n")?.line, 1)
        XCTAssertEqual(error("a=1 | cat\n")?.line, 1)
        XCTAssertEqual(error("a=1 && b=2\n")?.line, 1)
        XCTAssertEqual(error(". /etc/other.conf\n")?.line, 1)
        XCTAssertEqual(error("a = 1\n")?.line, 1, "blanks around = make a command in sh")
        XCTAssertEqual(error("1a=2\n")?.line, 1)
        XCTAssertEqual(error("a=1\nb='open\nstill\n")?.line, 2, "an unterminated quote names the line it opens on")
        XCTAssertEqual(error("a=\"open\n")?.line, 1)
        XCTAssertNotNil(error("a=1\nb=2 c\n"))
        XCTAssertEqual(error("a=1\nb=2 c\n")?.description.hasPrefix("line 2: "), true)
    }

    func testEmptyAndCommentOnlyFiles() throws {
        XCTAssertEqual(try parse(""), KeactrlConf())
        XCTAssertEqual(try parse("# nothing\n\n   # here\n"), KeactrlConf())
    }
}
