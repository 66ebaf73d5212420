package dev.hotreload.core.internal.engine;

import dev.hotreload.HotReloadException;
import dev.hotreload.ReloadReport;

/**
 * A reload's report and, when the reload failed, the exception that says why.
 *
 * @param report the report
 * @param failure the exception, or null when the reload succeeded
 */
record Finished(ReloadReport report, HotReloadException failure) {}
