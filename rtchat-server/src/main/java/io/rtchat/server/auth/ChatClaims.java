package io.rtchat.server.auth;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JWT claims the chat understands (spec §5). {@code extra} keeps claims we do not interpret
 * ({@code iss}, {@code aud}, ...) so that refreshed tokens carry them on.
 */
public record ChatClaims(
    String subject,
    boolean op,
    boolean vip,
    String nick,
    String img,
    String url,
    String emoji,
    String gender,
    List<String> rules,
    Map<String, Object> extra) {

  public ChatClaims {
    subject = subject == null ? "" : subject;
    rules = rules == null ? List.of() : List.copyOf(rules);
    extra = extra == null ? Map.of() : Map.copyOf(extra);
  }

  /** Claims for a guest made op by {@code /op}. */
  public static ChatClaims forGuest(String name) {
    return new ChatClaims(name, false, false, null, null, null, null, null, List.of(), Map.of());
  }

  public ChatClaims withOp(boolean newOp) {
    return new ChatClaims(subject, newOp, vip, nick, img, url, emoji, gender, rules, extra);
  }

  public boolean hasRule(String rule) {
    return rules.contains(rule);
  }

  /** The claims as JSON-ready map with empty values omitted (for the page and re-signing). */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>(extra);
    putIf(m, "sub", subject);
    if (op) {
      m.put("op", true);
    }
    if (vip) {
      m.put("vip", true);
    }
    putIf(m, "nick", nick);
    putIf(m, "img", img);
    putIf(m, "url", url);
    putIf(m, "emoji", emoji);
    putIf(m, "gender", gender);
    if (!rules.isEmpty()) {
      m.put("rules", rules);
    }
    return m;
  }

  private static void putIf(Map<String, Object> m, String k, String v) {
    if (v != null && !v.isEmpty()) {
      m.put(k, v);
    }
  }
}
