// Package ledger reads and verifies consent receipts (format 2,
// engine/CONTRACT.md): the chain of what each installation of an app was
// shown and answered, which is the record of consent; the state an app
// keeps is only its cache. It is what an auditor, the consent-record
// service and cmd/ledger use to check a chain offline.
//
// The parts, each usable alone:
//
//   - Canonical: canonical JSON (RFC 8785), the form receipts,
//     checkpoints and anchors are hashed and signed in.
//   - Receipt, Parse: a receipt and a strict reader of a JSON array of
//     receipts or of JSON Lines. Receipt.Hash and Receipt.ID compute a
//     receipt's hash and its id (a UUIDv8 made of the hash) from its
//     content; RecordedHash and RecordedID are what it says they are.
//   - Checkpoint: the service's ed25519-signed statement of an
//     installation's head (seq and hash), and the anchor a purge leaves;
//     Sign and Verify.
//   - Verify: every check of a chain (hashes, ids, links, sequence,
//     times, one policy per installation, each text hash against the
//     bundle of its version and locale, checkpoints and anchors), each
//     fault naming the receipt.
//   - Bundles: the signed policy bundles that texts are checked against,
//     and the screens each version can show (Screens), computed from the
//     bundle's texts as CONTRACT.md defines the text hash, independently
//     of the engine's code.
//   - NewTimeline: per installation, what was shown and answered, as text
//     and JSON.
//   - Export: the receipts as Kantara Consent Receipts (v1.1), the shape
//     ISO/IEC TS 27560 consent records take, for other systems.
//
// docs/RECORDS.md is the auditor's guide to the verifier and the export.
//
// # Notes
//
// Nothing here reads a clock, the network or randomness. A Bundles is
// safe for concurrent use once loaded; Verify, NewTimeline and Export
// only read their arguments.
package ledger
