package io.rtchat.server;

import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fills the index.html of an operator's BareRTC build (spec §9): strips the Go
 * {@code {{define "index"}}...{{end}}} wrapper and replaces each placeholder with a safe literal:
 * HTML-escaped text outside scripts, JSON (with {@code < > &} escaped) inside scripts.
 */
final class WebRootTemplate {
  private static final Logger log = LoggerFactory.getLogger(WebRootTemplate.class);
  private static final Pattern ACTION = Pattern.compile("\\{\\{-?\\s*(.*?)\\s*-?}}");
  private static final Pattern JWT_IF = Pattern.compile(
      "\\{\\{-?\\s*if \\.JWTAuthOK\\s*-?}}\\s*true\\s*\\{\\{-?\\s*else\\s*-?}}\\s*false\\s*\\{\\{-?\\s*end\\s*-?}}");
  private static final Pattern DEFINE = Pattern.compile("\\{\\{-?\\s*define \"index\"\\s*-?}}");
  private static final Pattern END = Pattern.compile("\\{\\{-?\\s*end\\s*-?}}\\s*$");
  private static final SecureRandom RANDOM = new SecureRandom();

  private WebRootTemplate() {}

  static String render(String template, PageModel model) {
    String t = JWT_IF.matcher(template).replaceAll(model.jwtOk() ? "true" : "false");
    Matcher def = DEFINE.matcher(t);
    if (def.find()) {
      t = t.substring(def.end());
      Matcher end = END.matcher(t);
      if (end.find()) {
        t = t.substring(0, end.start());
      }
    }
    Map<String, Object> values = values(model);
    StringBuilder out = new StringBuilder(t.length() + 4096);
    Matcher m = ACTION.matcher(t);
    int last = 0;
    while (m.find()) {
      String before = t.substring(last, m.start());
      String key = m.group(1);
      boolean inScript = inScript(t, m.start());
      Object value = values.get(key);
      if (!values.containsKey(key)) {
        log.warn("unknown template placeholder {{{}}} in WebRoot index.html; left empty", key);
      }
      if (inScript) {
        boolean quoted = before.endsWith("\"") && t.startsWith("\"", m.end());
        if (quoted) {
          out.append(before, 0, before.length() - 1);
          out.append(JsLiteral.of(value == null ? "" : String.valueOf(value)).replace("/", "\\/"));
          last = m.end() + 1;
          continue;
        }
        out.append(before).append(JsLiteral.of(value));
      } else {
        out.append(before).append(io.rtchat.server.chat.Html.escape(value == null ? "" : String.valueOf(value)));
      }
      last = m.end();
    }
    out.append(t.substring(last));
    return out.toString();
  }

  private static boolean inScript(String t, int pos) {
    String head = t.substring(0, pos).toLowerCase(java.util.Locale.ROOT);
    int open = head.lastIndexOf("<script");
    int close = head.lastIndexOf("</script");
    return open > close;
  }

  static Map<String, Object> values(PageModel p) {
    Map<String, Object> v = new HashMap<>();
    v.put(".CacheHash", cacheHash());
    v.put(".Config.Title", p.settings.title);
    v.put(".Config.Branding", p.settings.branding);
    v.put(".Config.DirectMessageHistory.DisclaimerMessage", p.settings.directMessageHistory.disclaimerMessage);
    v.put(".JWTTokenString", p.jwtOk() && p.token != null ? p.token : "");
    v.put(".Config.WebsiteURL", p.settings.websiteUrl);
    v.put(".Config.Strings", p.strings());
    v.put(".Config.GetChannels", p.channels());
    v.put("AsJS .Config.PermitNSFW", p.settings.permitNsfw);
    v.put(".Config.PermitNSFW", p.settings.permitNsfw);
    v.put(".Config.TURN", p.turn());
    v.put(".Config.WebhookURLs", p.webhooks());
    v.put(".Config.VIP", p.vip());
    v.put(".JWTClaims.ToJSON", p.claimsJson());
    v.put(".JWTClaims.Rules.ToDict", p.rules());
    v.put(".CachedBlocklist", p.cachedBlocklist);
    return v;
  }

  private static String cacheHash() {
    char[] c = new char[8];
    for (int i = 0; i < c.length; i++) {
      c[i] = (char) ('a' + RANDOM.nextInt(26));
    }
    return new String(c);
  }
}
