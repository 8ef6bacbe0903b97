package ledger_test

import (
	"fmt"

	"github.com/jitconsent/jitconsent/ledger"
)

// A receipt's hash is the SHA-256 of its canonical JSON without hash and
// id, and its id is a UUIDv8 made of that hash: anyone can recompute both.
func ExampleReceipt_Seal() {
	r := ledger.Receipt{V: 2, Kind: "policy", Answer: "accepted", Installation: "inst-1", Seq: 1,
		Time: "2026-03-01T10:00:00+08:00", Policy: "msxf", Version: "2022-03-29",
		Bundle: "sha256:4fb9000000000000000000000000000000000000000000000000000000000000",
		Locale: "zh-CN", Platform: "android", PlatformVersion: "33",
		Text: "0000000000000000000000000000000000000000000000000000000000000001",
	}
	r.Seal()
	fmt.Printf("%s\n", r.Body())
	fmt.Println(r.RecordedHash)
	fmt.Println(r.RecordedID)
	// Output:
	// {"answer":"accepted","bundle":"sha256:4fb9000000000000000000000000000000000000000000000000000000000000","installation":"inst-1","kind":"policy","locale":"zh-CN","platform":"android","platform_version":"33","policy":"msxf","prev":"","seq":1,"text":"0000000000000000000000000000000000000000000000000000000000000001","time":"2026-03-01T10:00:00+08:00","v":2,"version":"2022-03-29"}
	// 2614831b355f57186d2b1379ffe68204ee2e63ce1e1540e66f3849b713ecda42
	// 2614831b-355f-8718-ad2b-1379ffe68204
}
