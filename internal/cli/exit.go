package cli

import "errors"

// ExitError carries a command's exit status out of cobra's RunE: 1 when
// the input has problems, 2 on wrong usage. The commands' main prints Err
// and exits with Code (Status).
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }

// Fail is err with exit status 1: the input, not the usage, is wrong. An
// error that carries a status already keeps it; nil stays nil.
func Fail(err error) error {
	var ee *ExitError
	if err == nil || errors.As(err, &ee) {
		return err
	}
	return &ExitError{Code: 1, Err: err}
}

// Usage is err with exit status 2: the command line is wrong.
func Usage(err error) error { return &ExitError{Code: 2, Err: err} }

// Status is what a command that ended with err exits with, and the error
// to print: an ExitError's code and error, 2 and err for any other error
// (cobra's own are about the command line), 0 and nil for none.
func Status(err error) (int, error) {
	if err == nil {
		return 0, nil
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code, ee.Err
	}
	return 2, err
}
