package io.rtchat.server;

import io.rtchat.server.auth.ChatClaims;
import io.rtchat.server.chat.ChatRoom;
import io.rtchat.server.config.Settings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The values a chat page needs (spec §9), computed once per page request. */
final class PageModel {
  final Settings settings;
  final String token;
  final ChatClaims claims;
  final List<String> cachedBlocklist;

  PageModel(Settings settings, String token, ChatClaims claims, ChatRoom room) {
    this.settings = settings;
    this.token = token;
    this.claims = claims;
    this.cachedBlocklist = claims == null ? List.of() : room.cachedBlocklist(claims.subject());
  }

  boolean jwtOk() {
    return claims != null;
  }

  List<Map<String, Object>> channels() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Settings.Channel c : settings.publicChannels) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("ID", c.id);
      m.put("Name", c.name);
      m.put("Icon", c.icon);
      m.put("VIP", c.vip);
      m.put("PermitPhotos", c.permitPhotos);
      m.put("WelcomeMessages", c.welcomeMessages);
      m.put("EchoMessagesOnJoin", c.echoMessagesOnJoin);
      out.add(m);
    }
    return out;
  }

  Map<String, Object> turn() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("URLs", settings.turn.urls == null ? List.of() : settings.turn.urls);
    m.put("Username", settings.turn.username);
    m.put("Credential", settings.turn.credential);
    return m;
  }

  List<Map<String, Object>> webhooks() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Settings.Webhook w : settings.webhookUrls) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("Name", w.name);
      m.put("Enabled", w.enabled);
      m.put("URL", "");
      out.add(m);
    }
    return out;
  }

  Map<String, Object> vip() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Name", settings.vip.name);
    m.put("Branding", settings.vip.branding);
    m.put("Icon", settings.vip.icon);
    m.put("MutuallySecret", settings.vip.mutuallySecret);
    return m;
  }

  Map<String, Object> strings() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ModRuleErrorCameraAlwaysNSFW", settings.strings.modRuleErrorCameraAlwaysNsfw);
    m.put("ModRuleErrorNoBroadcast", settings.strings.modRuleErrorNoBroadcast);
    m.put("ModRuleErrorNoVideo", settings.strings.modRuleErrorNoVideo);
    m.put("ModRuleErrorNoImage", settings.strings.modRuleErrorNoImage);
    return m;
  }

  Map<String, Object> claimsJson() {
    return claims == null ? Map.of() : claims.toMap();
  }

  Map<String, Object> rules() {
    String name = claims == null ? null : claims.subject();
    boolean redcam = has("redcam");
    boolean novideo = has("novideo");
    boolean nobroadcast = has("nobroadcast");
    boolean noimage = has("noimage");
    boolean nodvd = has("nodvd");
    for (Settings.ModerationRule r : settings.moderationRules) {
      if (name != null && r.username.equals(name)) {
        redcam |= r.cameraAlwaysNsfw;
        novideo |= r.noVideo;
        nobroadcast |= r.noBroadcast;
        noimage |= r.noImage;
        nodvd |= r.noDarkVideo;
      }
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("IsNoBroadcastRule", nobroadcast || novideo);
    m.put("IsNoDarkVideoRule", nodvd);
    m.put("IsNoImageRule", noimage);
    m.put("IsNoVideoRule", novideo);
    m.put("IsRedCamRule", redcam);
    return m;
  }

  private boolean has(String rule) {
    return claims != null && claims.hasRule(rule);
  }

  /** The boot object of our own page ({@code window.RTCHAT_BOOT}). */
  Map<String, Object> boot() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("title", settings.title);
    m.put("branding", settings.branding);
    m.put("websiteUrl", settings.websiteUrl);
    m.put("permitNSFW", settings.permitNsfw);
    m.put("channels", channels());
    m.put("turn", turn());
    m.put("vip", vip());
    m.put("strings", strings());
    m.put("webhookUrls", webhooks());
    m.put("dmDisclaimer", settings.directMessageHistory.disclaimerMessage);
    m.put("jwt", token);
    m.put("jwtValid", jwtOk());
    m.put("jwtEnabled", settings.jwt.enabled);
    m.put("jwtStrict", settings.jwt.enabled && settings.jwt.strict);
    m.put("jwtClaims", claimsJson());
    m.put("rules", rules());
    m.put("cachedBlocklist", cachedBlocklist);
    m.put("webSocketPath", "/ws");
    return m;
  }
}
