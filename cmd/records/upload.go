package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/jitconsent/jitconsent/internal/cli"
	"github.com/jitconsent/jitconsent/ledger"
	"github.com/spf13/cobra"
)

// uploadCmd posts receipt files to a running service as hosts do: each
// installation's receipts in order, in batches, keeping the checkpoint
// each answer gives. It is how `make run` hands the simulator's receipts
// to the service, and a way to load a host's exported ledger by hand.
func uploadCmd() *cobra.Command {
	var url, token, tokenFile, out string
	var batch int
	cmd := &cobra.Command{
		Use:   "upload --url URL --app-token-file F [--checkpoints FILE] RECEIPTS...",
		Short: "Upload receipt files (JSON Lines or arrays) to a service, as hosts do, and keep the checkpoints",
		Long: "Upload receipt files to a running service: each installation's receipts in the order the files\n" +
			"give them, in batches of at most --batch, each batch only after the one before it is stored.\n" +
			"The last checkpoint of each installation is written to --checkpoints (JSON Lines), for\n" +
			"ledger verify --checkpoint. A refused batch stops the upload: the service's error, with the\n" +
			"installation and the receipts' numbers, is printed and the exit status is 1.",
		Example: "  records upload --url http://127.0.0.1:8417 --app-token-file app.token --checkpoints dist/checkpoints.jsonl dist/record/receipts.jsonl",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if url == "" {
				return cli.Usage(errors.New("--url is required"))
			}
			if batch < 1 || batch > 1000 {
				return cli.Usage(fmt.Errorf("--batch %d: give 1 to 1000 (the service's limit)", batch))
			}
			if tokenFile != "" {
				// The first token of the file, read as serve reads its
				// token files.
				ts, err := tokens(nil, []string{tokenFile})
				if err != nil {
					return err
				}
				if len(ts) > 0 {
					token = ts[0]
				}
			}
			if token == "" {
				return cli.Usage(errors.New("no app token: give --app-token-file (or --app-token)"))
			}
			// Each installation's receipts, in the files' order.
			var order []string
			byInst := map[string][]json.RawMessage{}
			for _, file := range args {
				data, err := os.ReadFile(file)
				if err != nil {
					return cli.Fail(err)
				}
				rs, err := ledger.Parse(data)
				if err != nil {
					return cli.Fail(fmt.Errorf("%s: %v", file, err))
				}
				for _, r := range rs {
					if r.Installation == "" {
						return cli.Fail(fmt.Errorf("%s: receipt %s has no installation: the service files receipts by installation", file, r.RecordedID))
					}
					raw, err := json.Marshal(r)
					if err != nil {
						return cli.Fail(err)
					}
					if _, ok := byInst[r.Installation]; !ok {
						order = append(order, r.Installation)
					}
					byInst[r.Installation] = append(byInst[r.Installation], raw)
				}
			}
			client := &http.Client{Timeout: time.Minute}
			var cps bytes.Buffer
			total := 0
			for _, inst := range order {
				rs := byInst[inst]
				var last json.RawMessage
				for i := 0; i < len(rs); i += batch {
					j := min(i+batch, len(rs))
					body, _ := json.Marshal(map[string]any{"receipts": rs[i:j]})
					cp, _, err := postBatch(cmd.Context(), client, strings.TrimRight(url, "/")+"/v1/installations/"+inst+"/receipts", token, body)
					if err != nil {
						return cli.Fail(fmt.Errorf("installation %s, receipts %d to %d of its chain in the files: %v", inst, i+1, j, err))
					}
					last = cp
				}
				total += len(rs)
				cps.Write(last)
				cps.WriteByte('\n')
			}
			if out != "" {
				if err := os.WriteFile(out, cps.Bytes(), 0o644); err != nil {
					return cli.Fail(err)
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "uploaded %d receipts of %d installations to %s\n", total, len(order), url)
			return nil
		},
	}
	cmd.Flags().StringVar(&url, "url", "", "the service's base URL (http://127.0.0.1:8417)")
	cmd.Flags().StringVar(&token, "app-token", "", "the app token (prefer --app-token-file: flags show in ps)")
	cmd.Flags().StringVar(&tokenFile, "app-token-file", "", "a file of app tokens as serve reads them (the first is sent)")
	cmd.Flags().StringVar(&out, "checkpoints", "", "write each installation's last checkpoint to this file (JSON Lines)")
	cmd.Flags().IntVar(&batch, "batch", 100, "receipts per batch (at most 1000)")
	return cmd
}

// postBatch uploads one batch as a host does and returns the checkpoint
// of the answer and the receipts it stored (its Records-Stored header), or
// the service's error, with the HTTP status. upload and bench share it.
func postBatch(ctx context.Context, client *http.Client, url, token string, body []byte) (json.RawMessage, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, "", err
	}
	var ans struct {
		Checkpoint json.RawMessage `json:"checkpoint"`
		Error      *struct {
			Code, Field, Message string
		} `json:"error"`
	}
	if json.Unmarshal(data, &ans) != nil {
		return nil, "", fmt.Errorf("%s: the answer is not the service's JSON: %.200q", resp.Status, data)
	}
	if resp.StatusCode != http.StatusOK || ans.Error != nil || len(ans.Checkpoint) == 0 {
		if ans.Error != nil {
			return nil, "", fmt.Errorf("%s: %s: %s: %s", resp.Status, ans.Error.Code, ans.Error.Field, ans.Error.Message)
		}
		return nil, "", fmt.Errorf("%s: no checkpoint in the answer", resp.Status)
	}
	return ans.Checkpoint, resp.Header.Get("Records-Stored"), nil
}
