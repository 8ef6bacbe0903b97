package prompts

import (
	"testing"
)

func TestLocateKeys(t *testing.T) {
	src := `# comment
[policy]
id = "x"
"quoted.key" = 1
dotted.inner = 2
text = """
[not a table]
key = "not a key"
"""
list = [
  "a",   # [
  "b]",
]

[[scenario]]
id = "a"

  [[scenario.step]]
  id = "s1"

    [[scenario.step.permission]]
    id = "camera"

  [[scenario.step]]
  id = "s2"

[[scenario]]
id = "b"

  [[scenario.step]]
  id = "t1"
after = { x = 1 }
`
	where := locateKeys("f.toml", src)
	want := map[string][2]int{
		"policy":                               {2, 1},
		"policy.id":                            {3, 1},
		"policy.quoted.key":                    {4, 1},
		"policy.dotted.inner":                  {5, 1},
		"policy.text":                          {6, 1},
		"policy.list":                          {10, 1},
		"scenario":                             {15, 1},
		"scenario[0].id":                       {16, 1},
		"scenario[0].step[0]":                  {18, 3},
		"scenario[0].step[0].id":               {19, 3},
		"scenario[0].step[0].permission[0].id": {22, 5},
		"scenario[0].step[1].id":               {25, 3},
		"scenario[1].id":                       {28, 1},
		"scenario[1].step[0].id":               {31, 3},
		"scenario[1].step[0].after":            {32, 1},
	}
	for key, lc := range want {
		p, ok := where[key]
		if !ok {
			t.Errorf("%s not located", key)
			continue
		}
		if p.Line != lc[0] || p.Col != lc[1] {
			t.Errorf("%s at %d:%d, want %d:%d", key, p.Line, p.Col, lc[0], lc[1])
		}
	}
	for _, key := range []string{"policy.key", "not a table", "policy.\"b]\""} {
		if _, ok := where[key]; ok {
			t.Errorf("%s located inside a string", key)
		}
	}
	doc := &tomlDoc{file: "f.toml", where: where}
	if p := doc.pos("scenario[0].step[0].permission[0].platforms"); p.Line != 21 {
		t.Errorf("a missing key falls back to its table: %v", p)
	}
}

func TestOffsetPosCountsCharacters(t *testing.T) {
	src := "a = 1\n名 = \"x\n"
	off := len("a = 1\n名 = ")
	if p := offsetPos("f", src, off, 2); p.Line != 2 || p.Col != 5 {
		t.Errorf("got %v, want f:2:5", p)
	}
}
