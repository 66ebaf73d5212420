/**
 * The reload engine, internal to hotreload-core: {@link
 * dev.hotreload.core.internal.engine.ReloadSession} (the Session facade), {@link
 * dev.hotreload.core.internal.engine.ReloadScheduler} (debounce, supersede, one reload at a
 * time), {@link dev.hotreload.core.internal.engine.ReloadPipeline} with one step per phase, each
 * timed by {@link dev.hotreload.core.internal.engine.PhaseTimer}, and the report.
 */
package dev.hotreload.core.internal.engine;
