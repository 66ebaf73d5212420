package dev.hotreload.k8s.dev;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds {@code ko://<import path>} references in manifest text, as {@code ko resolve} does: any
 * string that starts with {@code ko://}, quoted or not.
 */
final class KoReferences {
  private static final Pattern KO = Pattern.compile("ko://([A-Za-z0-9._~/-]+)");

  private KoReferences() {}

  /** The import paths referenced, in order of first appearance. */
  static Set<String> importPaths(String yaml) {
    Set<String> found = new LinkedHashSet<>();
    Matcher m = KO.matcher(yaml);
    while (m.find()) {
      found.add(m.group(1));
    }
    return found;
  }
}
