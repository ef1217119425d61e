package io.rtchat.server.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads and validates settings.toml. Unknown or mistyped keys are errors, never silent defaults. */
public final class SettingsLoader {

  /** HS256 needs a key of at least 256 bits (RFC 7518 §3.2). */
  public static final int MIN_SECRET_BYTES = 32;

  private static final ObjectMapper TOML = TomlMapper.builder()
      .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
      .build();

  private SettingsLoader() {}

  /** Built-in defaults: one public channel {@code lobby}, JWT off. */
  public static Settings defaults() {
    return new Settings();
  }

  /** Loads {@code file}; a missing file is an error here (callers decide whether to fall back to defaults). */
  public static Settings load(Path file) throws SettingsException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new SettingsException(file + ": file not found");
    } catch (IOException e) {
      throw new SettingsException(file + ": cannot read: " + e.getMessage(), e);
    }
    return parse(file.toString(), text);
  }

  /** Parses TOML text; {@code name} is used in error messages. */
  public static Settings parse(String name, String text) throws SettingsException {
    Settings settings;
    try {
      settings = TOML.readValue(text, Settings.class);
    } catch (UnrecognizedPropertyException e) {
      String key = keyPath(e);
      throw new SettingsException(where(name, text, e, key) + "unknown key '" + key + "'"
          + " (known keys here: " + e.getKnownPropertyIds() + ")", e);
    } catch (JsonMappingException e) {
      String key = keyPath(e);
      throw new SettingsException(where(name, text, e, key) + "bad value for key '" + key + "': "
          + e.getOriginalMessage(), e);
    } catch (JsonProcessingException e) {
      int line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
      throw new SettingsException(name + (line > 0 ? ":" + line : "") + ": invalid TOML: "
          + e.getOriginalMessage(), e);
    }
    if (settings == null) {
      settings = defaults();
    }
    validate(name, text, settings);
    return settings;
  }

  /** The commented default settings file printed by {@code --print-default-config}. */
  public static String defaultConfigText() {
    try (InputStream in = SettingsLoader.class.getResourceAsStream("/io/rtchat/server/default-settings.toml")) {
      if (in == null) {
        throw new IllegalStateException("default-settings.toml missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Validates settings built in code (no file to point at). */
  public static void validate(Settings s) throws SettingsException {
    validate("settings", "", s);
  }

  static void validate(String name, String text, Settings s) throws SettingsException {
    if (s.jwt == null || s.turn == null || s.vip == null || s.strings == null || s.limits == null
        || s.logging == null || s.directMessageHistory == null || s.publicChannels == null) {
      throw new SettingsException(name + ": a settings table is empty or null");
    }
    if (s.jwt.enabled && s.jwt.secretKey.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
      throw new SettingsException(located(name, text, "JWT.SecretKey") + "key 'JWT.SecretKey' must be at least "
          + MIN_SECRET_BYTES + " bytes when JWT.Enabled = true (HS256); generate one with: openssl rand -hex 32");
    }
    if (s.jwt.maxLifetimeMinutes <= 0) {
      throw new SettingsException(located(name, text, "JWT.MaxLifetimeMinutes") + "key 'JWT.MaxLifetimeMinutes' must be positive");
    }
    if (s.publicChannels.isEmpty()) {
      throw new SettingsException(name + ": key 'PublicChannels' must list at least one channel");
    }
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < s.publicChannels.size(); i++) {
      Settings.Channel c = s.publicChannels.get(i);
      if (c.id == null || c.id.isBlank() || c.id.startsWith("@")) {
        throw new SettingsException(name + ": key 'PublicChannels[" + i + "].ID' must be a non-empty name not starting with '@'");
      }
      if (!ids.add(c.id)) {
        throw new SettingsException(name + ": key 'PublicChannels[" + i + "].ID' repeats channel '" + c.id + "'");
      }
      if (c.echoMessagesOnJoin < 0 || c.echoMessagesOnJoin > 1000) {
        throw new SettingsException(name + ": key 'PublicChannels[" + i + "].EchoMessagesOnJoin' must be 0..1000");
      }
    }
    if (s.turn.urls == null) {
      throw new SettingsException(name + ": key 'TURN.URLs' must be an array");
    }
    for (int i = 0; i < s.messageFilters.size(); i++) {
      for (String re : s.messageFilters.get(i).keywordPhrases) {
        try {
          Pattern.compile(re);
        } catch (RuntimeException e) {
          throw new SettingsException(name + ": key 'MessageFilters[" + i + "].KeywordPhrases' has a bad regex '"
              + re + "': " + e.getMessage());
        }
      }
    }
    Settings.Limits l = s.limits;
    if (l.sendQueueMessages < 1 || l.maxMessageLength < 1 || l.messagesPerSecond <= 0 || l.messageBurst < 1
        || l.idleTimeoutSeconds < 1 || l.loginTimeoutSeconds < 1 || l.pingIntervalSeconds < 1
        || l.maxImageBytes < 1 || l.maxImagePixels < 1) {
      throw new SettingsException(name + ": every key of table 'Limits' must be positive");
    }
    if (s.backplane == null) {
      throw new SettingsException(name + ": a settings table is empty or null");
    }
    if (s.backplane.enabled()) {
      String u = s.backplane.url.trim();
      java.net.URI uri;
      try {
        uri = new java.net.URI(u);
      } catch (java.net.URISyntaxException e) {
        uri = null;
      }
      if (uri == null || uri.getHost() == null
          || !("mqtt".equals(uri.getScheme()) || "mqtts".equals(uri.getScheme()))) {
        throw new SettingsException(located(name, text, "Backplane.URL")
            + "key 'Backplane.URL' must look like mqtt://host:port or mqtts://host:port, got '" + u + "'");
      }
    }
    if (s.backplane.keepAliveSeconds < 1 || s.backplane.keepAliveSeconds > 600) {
      throw new SettingsException(located(name, text, "Backplane.KeepAliveSeconds")
          + "key 'Backplane.KeepAliveSeconds' must be 1..600");
    }
    if (s.backplane.topicPrefix == null || s.backplane.topicPrefix.isBlank()
        || s.backplane.topicPrefix.matches(".*[#+\\u0000].*") || s.backplane.topicPrefix.endsWith("/")) {
      throw new SettingsException(located(name, text, "Backplane.TopicPrefix")
          + "key 'Backplane.TopicPrefix' must be a topic without wildcards or a trailing '/'");
    }
    if (s.backplane.instanceId == null || !s.backplane.instanceId.matches("[A-Za-z0-9_.-]{0,64}")) {
      throw new SettingsException(located(name, text, "Backplane.InstanceID")
          + "key 'Backplane.InstanceID' may only hold letters, digits, '_', '.', '-' (at most 64)");
    }
    validateBroker(name, text, s.broker);
    if (s.webSocketReadLimit < 1024) {
      throw new SettingsException(located(name, text, "WebSocketReadLimit") + "key 'WebSocketReadLimit' must be at least 1024");
    }
    if (s.webSocketSendTimeout < 1) {
      throw new SettingsException(located(name, text, "WebSocketSendTimeout") + "key 'WebSocketSendTimeout' must be positive");
    }
    if (!s.webRoot.isBlank() && !Files.isRegularFile(Path.of(s.webRoot, "index.html"))) {
      throw new SettingsException(located(name, text, "WebRoot") + "key 'WebRoot' must be a BareRTC build directory containing index.html: "
          + s.webRoot);
    }
  }

  private static void validateBroker(String name, String text, Settings.Broker b)
      throws SettingsException {
    if (b == null) {
      throw new SettingsException(name + ": a settings table is empty or null");
    }
    if (b.host == null || !b.host.matches("[A-Za-z0-9.:_-]*")) {
      throw new SettingsException(located(name, text, "Broker.Host")
          + "key 'Broker.Host' must be an address such as 127.0.0.1 or 0.0.0.0, or empty for the"
          + " server's own, got '" + b.host + "'");
    }
    for (String key : new String[] {"Port", "WebSocketPort"}) {
      int port = key.equals("Port") ? b.port : b.webSocketPort;
      if (port < 0 || port > 65535) {
        throw new SettingsException(located(name, text, "Broker." + key)
            + "key 'Broker." + key + "' must be 0..65535 (0 = any free port), got " + port);
      }
    }
    if (b.port != 0 && b.port == b.webSocketPort) {
      throw new SettingsException(located(name, text, "Broker.WebSocketPort")
          + "keys 'Broker.Port' and 'Broker.WebSocketPort' must differ, both are " + b.port);
    }
  }

  private static String keyPath(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  private static String where(String name, String text, JsonProcessingException e, String key) {
    return located(name, text, key);
  }

  private static final Pattern HEADER = Pattern.compile("^\\s*(\\[\\[?)\\s*([^\\]]+?)\\s*\\]\\]?\\s*(#.*)?$");

  /** "file:line: " when the key's line can be found in the text, else "file: ". */
  static String located(String name, String text, String keyPath) {
    int line = findLine(text, keyPath);
    return name + (line > 0 ? ":" + line : "") + ": ";
  }

  /** Finds the line defining {@code keyPath} (e.g. {@code JWT.SecretKey} or {@code PublicChannels[1].Nmae}). */
  static int findLine(String text, String keyPath) {
    if (text == null || keyPath.isEmpty()) {
      return -1;
    }
    String plain = keyPath.replaceAll("\\[\\d+]", "");
    int lastDot = plain.lastIndexOf('.');
    String table = lastDot < 0 ? "" : plain.substring(0, lastDot);
    String key = plain.substring(lastDot + 1);
    Matcher idx = Pattern.compile("\\[(\\d+)]").matcher(keyPath);
    int wantedIndex = idx.find() ? Integer.parseInt(idx.group(1)) : -1;
    String[] lines = text.split("\r?\n", -1);
    String current = "";
    int arrayIndex = -1;
    Pattern keyLine = Pattern.compile("^\\s*\"?" + Pattern.quote(key) + "\"?\\s*=", Pattern.CASE_INSENSITIVE);
    Pattern dotted = Pattern.compile("^\\s*" + Pattern.quote(plain) + "\\s*=", Pattern.CASE_INSENSITIVE);
    for (int i = 0; i < lines.length; i++) {
      Matcher h = HEADER.matcher(lines[i]);
      if (h.matches()) {
        String t = h.group(2).trim();
        if (!t.equalsIgnoreCase(current)) {
          arrayIndex = -1;
        }
        current = t;
        if (h.group(1).equals("[[")) {
          arrayIndex++;
        }
        if (key.equalsIgnoreCase(t.substring(t.lastIndexOf('.') + 1)) && t.equalsIgnoreCase(plain)) {
          return i + 1;
        }
        continue;
      }
      boolean tableMatches = current.toLowerCase(Locale.ROOT).equals(table.toLowerCase(Locale.ROOT))
          && (wantedIndex < 0 || arrayIndex < 0 || arrayIndex == wantedIndex);
      if (tableMatches && keyLine.matcher(lines[i]).find()) {
        return i + 1;
      }
      if (current.isEmpty() && dotted.matcher(lines[i]).find()) {
        return i + 1;
      }
    }
    return -1;
  }
}
