package io.rtchat.signal.mqtt.rtchat;

import com.ibm.icu.text.Collator;
import com.ibm.icu.util.ULocale;

/** Names as the RTChat page sees them (protocols/rtchat-mqtt.md, sections 1, 3.3 and 7.4). */
final class RtchatNames {

  private RtchatNames() {}

  /**
   * Whether {@code own} offers to {@code other}: the page's {@code localeCompare} is ICU collation
   * for en-US at tertiary strength (case-insensitive first, lower before upper, no numeric order).
   */
  static boolean offersTo(String own, String other) {
    Collator collator = Collator.getInstance(ULocale.US); // a fresh instance: ICU's are not thread-safe
    return collator.compare(own, other) < 0;
  }

  /**
   * Checks a name for use on the page: no {@code (}, {@code )} or {@code |} (they mark tab suffixes
   * and pinned keys), no outer spaces, not starting with {@code anon} (never persisted by pages).
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  static void check(String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("an RTChat name must not be empty");
    }
    if (name.indexOf('(') >= 0 || name.indexOf(')') >= 0 || name.indexOf('|') >= 0) {
      throw new IllegalArgumentException("an RTChat name must not contain '(', ')' or '|': " + name);
    }
    if (!name.strip().equals(name)) {
      throw new IllegalArgumentException("an RTChat name must not start or end with spaces");
    }
    if (name.startsWith("anon")) {
      throw new IllegalArgumentException("an RTChat name must not start with 'anon'"
          + " (pages never remember the keys of such names)");
    }
  }

  /** The bare name keys are stored under: cut at the first {@code |} and {@code (}, trimmed. */
  static String bare(String fullName) {
    String name = fullName;
    int bar = name.indexOf('|');
    if (bar >= 0) {
      name = name.substring(0, bar);
    }
    int paren = name.indexOf('(');
    if (paren >= 0) {
      name = name.substring(0, paren);
    }
    return name.trim();
  }
}
