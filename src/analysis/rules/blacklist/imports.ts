import type { BlacklistEntry } from "./table.js";
import { entry } from "./table.js";

const xmlText = "{name} parses XML without protection against entity-expansion and external-entity attacks; use the defusedxml package instead, or call defusedxml.defuse_stdlib().";

/**
 * Bandit 1.9's import blacklist (bandit/blacklists/imports.py), in Bandit's order. Entries are
 * module prefixes: `import pickletools` matches "pickle", as in Bandit. B410 (lxml, removed upstream
 * with the B320 calls in PyCQA/bandit PR #1212) and B414 (pycryptodome) were removed upstream and are
 * absent here.
 */
export const IMPORT_BLACKLIST: readonly BlacklistEntry[] = [
  entry("imports", "B401", "import_telnetlib", 319, ["telnetlib"], "A telnet module is imported; telnet sends data in clear text, prefer SSH.", "HIGH"),
  entry("imports", "B402", "import_ftplib", 319, ["ftplib"], "An FTP module is imported; FTP sends data in clear text, prefer SFTP or SCP.", "HIGH"),
  entry("imports", "B403", "import_pickle", 502, ["pickle", "cPickle", "dill", "shelve"], "{name} belongs to a pickle-based module; deserializing untrusted data with it is unsafe.", "LOW"),
  entry("imports", "B404", "import_subprocess", 78, ["subprocess"], "The subprocess module can run commands; review how it is used.", "LOW"),
  entry("imports", "B405", "import_xml_etree", 20, ["xml.etree.cElementTree", "xml.etree.ElementTree"], xmlText, "LOW"),
  entry("imports", "B406", "import_xml_sax", 20, ["xml.sax"], xmlText, "LOW"),
  entry("imports", "B407", "import_xml_expat", 20, ["xml.dom.expatbuilder"], xmlText, "LOW"),
  entry("imports", "B408", "import_xml_minidom", 20, ["xml.dom.minidom"], xmlText, "LOW"),
  entry("imports", "B409", "import_xml_pulldom", 20, ["xml.dom.pulldom"], xmlText, "LOW"),
  entry("imports", "B411", "import_xmlrpclib", 20, ["xmlrpc"], "{name} parses untrusted XML unsafely; call defusedxml.xmlrpc.monkey_patch() to harden it.", "HIGH"),
  entry(
    "imports",
    "B412",
    "import_httpoxy",
    284,
    ["wsgiref.handlers.CGIHandler", "twisted.web.twcgi.CGIScript", "twisted.web.twcgi.CGIDirectory"],
    "{name} is exposed to httpoxy (the Proxy header reaches HTTP_PROXY in CGI); review its use.",
    "HIGH",
  ),
  entry(
    "imports",
    "B413",
    "import_pycrypto",
    327,
    ["Crypto.Cipher", "Crypto.Hash", "Crypto.IO", "Crypto.Protocol", "Crypto.PublicKey", "Crypto.Random", "Crypto.Signature", "Crypto.Util"],
    "pyCrypto (here {name}) is unmaintained and has known vulnerabilities; use pyca/cryptography.",
    "HIGH",
  ),
  entry("imports", "B415", "import_pyghmi", 319, ["pyghmi"], "An IPMI module is imported; IPMI is insecure, prefer an encrypted protocol.", "HIGH"),
];
