"""The seams of the blank-spot module to other apps: none.

offline is a channel of eservices (device outbox, assisted entry, bundles): what it takes in
becomes e-service applications, which eservices' own feeds already offer to Satu Data and the
SPBE evaluation. A seam of its own would go here (docs/architecture.md, "The app skeleton").
"""
