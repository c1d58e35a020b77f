module strata.dev/test-server

go 1.24
