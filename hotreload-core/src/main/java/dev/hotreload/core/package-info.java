/**
 * The entry point: {@link dev.hotreload.core.HotReload} configures a session into an immutable
 * {@link dev.hotreload.core.HotReloadSpec} and starts it; {@link dev.hotreload.core.Readiness}
 * and {@link dev.hotreload.core.ConsoleProgress} are the ready-made readiness checks and listener.
 * Each phase of a reload has its own package beside this one: watch, build, image, agent, local,
 * watchexec.
 */
package dev.hotreload.core;
