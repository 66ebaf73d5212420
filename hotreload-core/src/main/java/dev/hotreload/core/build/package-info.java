/**
 * The BUILD phase: {@code go build} as ko runs it ({@link dev.hotreload.core.build.GoBuilder}),
 * the Go toolchain, {@code .ko.yaml}, the cache layout, compiler diagnostics and the ELF header of
 * what was built.
 */
package dev.hotreload.core.build;
