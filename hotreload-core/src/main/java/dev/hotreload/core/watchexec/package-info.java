/**
 * The seed design: watchexec in kodata restarts the app when a tar stream over exec replaces its
 * binary. The manifest rewrite, the watchexec binary and the tar stream live here.
 */
package dev.hotreload.core.watchexec;
