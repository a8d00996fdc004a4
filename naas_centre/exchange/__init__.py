"""Moving a centre's data between workstations as files: bundles.

``container`` writes and reads one bundle file (encrypted under the centre passphrase,
signed by the exporting person, streamed); ``layout`` holds the byte format, ``reading``
walks a file's records, ``trust`` checks the signer's certificate against the centre CA,
and ``refusals`` names the plain reasons a file is refused. What goes into a bundle is
decided elsewhere. The format is described byte by byte in ``docs/bundles.md``.
"""
