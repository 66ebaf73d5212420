/**
 * The CHANGE_DETECTED phase: {@link dev.hotreload.core.watch.GoWatcher} watches only what the
 * main package is built from (its packages, go.mod, go.sum, embedded files), through a directory
 * watcher and a source filter that ignores editor droppings and tests.
 */
package dev.hotreload.core.watch;
