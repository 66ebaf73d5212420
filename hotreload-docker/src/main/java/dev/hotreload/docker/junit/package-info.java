/**
 * A JUnit 5 extension for integration-test harnesses: a test declares a Go workspace and the
 * container to run it in, and gets a running dev session whose edits reload the service without
 * a new container ({@link dev.hotreload.docker.junit.HotReloadExtension}).
 */
package dev.hotreload.docker.junit;
