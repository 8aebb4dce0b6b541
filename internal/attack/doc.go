// Package attack is cloudisms' standing attack suite (issue 10). Its tests
// build the cloudisms command, start a real `cloudisms serve` process on
// SQLite (and on PostgreSQL where the database matters, when
// CLOUDISMS_TEST_POSTGRES is set) and perform each attack of the threat
// model in docs/security.md as a hostile client would. Every test asserts
// that the server is still up afterwards, that it answered the documented
// status, that its resident memory stayed under a stated ceiling (read from
// /proc/PID/status) and that nothing of one organization reached another.
//
// Each attack has its own file; the harness (starting servers, making
// organizations, reading memory) is in harness_test.go.
package attack
