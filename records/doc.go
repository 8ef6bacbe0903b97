// Package records is the consent-record service: hosts upload batches of
// an installation's hash-chained receipts (engine/CONTRACT.md, "Receipts");
// the service accepts a batch only if it extends the head it holds for that
// installation, stores it append-only, and answers with a checkpoint
// signed by its ed25519 key. Operators read an installation's chain,
// timeline and consent status, export records with a signed manifest, and
// purge records older than a cut-off, leaving a signed anchor from which
// the rest still verifies.
//
// The package has three parts:
//
//   - [Store], the storage interface, with [Apply], the one place that
//     decides whether a batch extends a head. A store runs Apply inside one
//     database transaction, holding the installation's head row locked, so
//     the database, not the process, orders an installation's uploads:
//     several service processes over one database stay correct. The
//     stores are in records/sqlite and records/postgres; records/storetest
//     is the test suite both pass.
//   - [Service], the HTTP API (SPEC section 4, and the README's "The
//     consent-record service").
//   - [Signer], which signs checkpoints, anchors and export manifests.
//
// # Notes
//
// A Service is safe for concurrent use; its state is the Store's.
// Errors that a client caused are *errcode.Error values with a code from
// this package (CodeBadBatch, ...) and the field at fault, as
// "receipts[3].hash".
package records
