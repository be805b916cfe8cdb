package pg

// ClearGuard forgets recorded violations, for the test that makes one on
// purpose.
func ClearGuard() {
	guard.mu.Lock()
	guard.violations = nil
	guard.mu.Unlock()
}
