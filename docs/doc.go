// Package docs holds mozidsim's prose documentation (REFERENCES.md, the rendered
// walkthroughs). It stands for no historic component: its only code is the test
// that keeps every citation tag used in the repository defined in REFERENCES.md.
package docs
