// Command tpgen generates typed Go clients for the services described in a
// services.yaml, or for a single OpenAPI document.
//
//	tpgen -config services.yaml [-config ...] [-service NAME ...] [-out DIR] [-import-path PATH] [-check] [-v]
//	tpgen -spec openapi.yaml -package NAME -out DIR [-base-url URL] [-grant GRANT] [-ref-root DIR] [-import-path PATH]
//	tpgen outputs (-config ... | -spec ...) [-base DIR]
//	tpgen init [FILE]
//	tpgen version
//
// Exit status: 0 success, 1 bad input or -check found differences, 2 usage.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
)

func main() {
	if os.Getenv("GOGC") == "" {
		// tpgen runs once and exits, and a large spec makes much garbage:
		// collecting half as often costs GitHub's 13 MB spec less CPU (2.49
		// s instead of 2.59 s, medians of six alternating runs on a busy
		// 2-core machine) for a higher peak (266 MB instead of 201 MB RSS),
		// well inside what a build machine can give. GOGC in the environment
		// still wins.
		debug.SetGCPercent(200)
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "init":
			return runInit(args[1:], stdout, stderr)
		case "version":
			fmt.Fprintln(stdout, versionString())
			return exitOK
		case "schema":
			return runSchema(stdout)
		case "outputs":
			return runOutputs(args[1:], stdout, stderr)
		}
	}
	return runGenerate(args, stdout, stderr)
}
