"""Electronic signatures through a signing service (BSrE Esign Client API shape).

- ``pki``: a test/demo CA hierarchy (root → intermediate → one certificate per official,
  a TSA certificate, CRLs), used by the local signer and by the fake signing server.
- ``signer``: the ``Signer`` seam with a local (pyHanko, PKCS#12) and a remote (HTTP) implementation.
- ``ltv``: PAdES B-LT: validation data in a DSS and a document timestamp, added by Etam after
  whatever the hub returned; LTV validation for the verification page.
- ``fakebsre``: the fake signing server (``python -m etam.eservices.signing.fakebsre``).

See docs/adr/0082-signing-service-seam.md and 0083-pades-b-lt.md.
"""
