package io.rtchat.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;

/**
 * The contents of settings.toml: BareRTC's keys (PascalCase, see the protocol spec §6) plus a few
 * of ours ({@code WebRoot}, {@code Limits}, {@code JWT.MaxLifetimeMinutes}). Field initializers are
 * the defaults; a missing file means all defaults. Instances are treated as immutable once loaded.
 */
public final class Settings {

  @JsonProperty("Version") public int version = 16;
  @JsonProperty("Title") public String title = "BareRTC";
  @JsonProperty("Branding") public String branding = "BareRTC";
  @JsonProperty("WebsiteURL") public String websiteUrl = "https://www.example.com";
  @JsonProperty("CORSHosts") public List<String> corsHosts = new ArrayList<>(List.of("https://www.example.com"));
  @JsonProperty("AdminAPIKey") public String adminApiKey = "";
  @JsonProperty("PermitNSFW") public boolean permitNsfw = false;
  @JsonProperty("BlockableAdmins") public boolean blockableAdmins = false;
  @JsonProperty("UseXForwardedFor") public boolean useXForwardedFor = false;
  @JsonProperty("WebSocketReadLimit") public long webSocketReadLimit = 41_943_040L;
  @JsonProperty("WebSocketSendTimeout") public int webSocketSendTimeout = 10;
  @JsonProperty("MaxImageWidth") public int maxImageWidth = 1280;
  @JsonProperty("PreviewImageWidth") public int previewImageWidth = 360;
  /** Ours: a BareRTC front-end build directory (dist/) to serve instead of the built-in page. */
  @JsonProperty("WebRoot") public String webRoot = "";

  @JsonProperty("JWT") public Jwt jwt = new Jwt();
  @JsonProperty("TURN") public Turn turn = new Turn();
  @JsonProperty("PublicChannels") public List<Channel> publicChannels = new ArrayList<>(List.of(Channel.defaultLobby()));
  @JsonProperty("WebhookURLs") public List<Webhook> webhookUrls = new ArrayList<>(List.of(new Webhook("report"), new Webhook("profile")));
  @JsonProperty("VIP") public Vip vip = new Vip();
  @JsonProperty("MessageFilters") public List<MessageFilter> messageFilters = new ArrayList<>();
  @JsonProperty("ModerationRule") public List<ModerationRule> moderationRules = new ArrayList<>();
  @JsonProperty("DirectMessageHistory") public DirectMessageHistory directMessageHistory = new DirectMessageHistory();
  @JsonProperty("Strings") public Strings strings = new Strings();
  @JsonProperty("Logging") public Logging logging = new Logging();
  @JsonProperty("Limits") public Limits limits = new Limits();
  /** Ours: scale-out through an MQTT broker; no URL = one instance, no broker traffic. */
  @JsonProperty("Backplane") public Backplane backplane = new Backplane();
  /** Ours: the MQTT broker embedded in the server, for peers' signaling. */
  @JsonProperty("Broker") public Broker broker = new Broker();

  public static final class Jwt {
    @JsonProperty("Enabled") public boolean enabled = false;
    @JsonProperty("Strict") public boolean strict = true;
    @JsonProperty("SecretKey") public String secretKey = "";
    @JsonProperty("LandingPageURL") public String landingPageUrl = "";
    /** Ours: tokens whose {@code exp} lies further in the future than this are refused. */
    @JsonProperty("MaxLifetimeMinutes") public int maxLifetimeMinutes = 1440;
  }

  public static final class Turn {
    @JsonProperty("URLs") public List<String> urls = new ArrayList<>(List.of("stun:stun.l.google.com:19302"));
    @JsonProperty("Username") public String username = "";
    @JsonProperty("Credential") public String credential = "";
  }

  public static final class Channel {
    @JsonProperty("ID") public String id = "";
    @JsonProperty("Name") public String name = "";
    @JsonProperty("Icon") public String icon = "";
    @JsonProperty("VIP") public boolean vip = false;
    @JsonProperty("PermitPhotos") public boolean permitPhotos = false;
    @JsonProperty("WelcomeMessages") public List<String> welcomeMessages = new ArrayList<>();
    @JsonProperty("EchoMessagesOnJoin") public int echoMessagesOnJoin = 0;

    static Channel defaultLobby() {
      Channel c = new Channel();
      c.id = "lobby";
      c.name = "Lobby";
      c.icon = "fa fa-gavel";
      c.echoMessagesOnJoin = 10;
      c.welcomeMessages = new ArrayList<>(List.of(
          "Welcome to the chat server!",
          "Please follow the basic rules:\n\n1. Have fun\n2. Be kind"));
      return c;
    }
  }

  public static final class Webhook {
    @JsonProperty("Name") public String name = "";
    @JsonProperty("Enabled") public boolean enabled = false;
    @JsonProperty("URL") public String url = "";

    public Webhook() {}

    Webhook(String name) {
      this.name = name;
    }
  }

  public static final class Vip {
    @JsonProperty("Name") public String name = "VIP";
    @JsonProperty("Branding") public String branding = "<em>VIP Members</em>";
    @JsonProperty("Icon") public String icon = "fa fa-circle";
    @JsonProperty("MutuallySecret") public boolean mutuallySecret = false;
  }

  public static final class MessageFilter {
    @JsonProperty("Enabled") public boolean enabled = false;
    @JsonProperty("PublicChannels") public boolean publicChannels = false;
    @JsonProperty("PrivateChannels") public boolean privateChannels = false;
    @JsonProperty("KeywordPhrases") public List<String> keywordPhrases = new ArrayList<>();
    @JsonProperty("CensorMessage") public boolean censorMessage = false;
    @JsonProperty("ForwardMessage") public boolean forwardMessage = false;
    @JsonProperty("ReportMessage") public boolean reportMessage = false;
    @JsonProperty("ChatServerResponse") public String chatServerResponse = "";
  }

  public static final class ModerationRule {
    @JsonProperty("Username") public String username = "";
    @JsonProperty("CameraAlwaysNSFW") public boolean cameraAlwaysNsfw = false;
    @JsonProperty("NoBroadcast") public boolean noBroadcast = false;
    @JsonProperty("NoVideo") public boolean noVideo = false;
    @JsonProperty("NoImage") public boolean noImage = false;
    @JsonProperty("NoDarkVideo") public boolean noDarkVideo = false;
  }

  public static final class DirectMessageHistory {
    @JsonProperty("Enabled") public boolean enabled = false;
    @JsonProperty("SQLiteDatabase") public String sqliteDatabase = "database.sqlite";
    @JsonProperty("RetentionDays") public int retentionDays = 90;
    @JsonProperty("DisclaimerMessage") public String disclaimerMessage =
        "<i class=\"fa fa-info-circle mr-1\"></i> <strong>Reminder:</strong> please conduct yourself honorably in Direct Messages.";
  }

  public static final class Strings {
    @JsonProperty("ModRuleErrorCameraAlwaysNSFW") public String modRuleErrorCameraAlwaysNsfw =
        "A chat server moderation rule is currently in place which forces your camera to stay marked as Explicit. Please contact a chat moderator if you have any questions about this.";
    @JsonProperty("ModRuleErrorNoBroadcast") public String modRuleErrorNoBroadcast =
        "A chat server moderation rule is currently in place which restricts your ability to share your webcam. Please contact a chat operator for more information.";
    @JsonProperty("ModRuleErrorNoVideo") public String modRuleErrorNoVideo =
        "A chat server moderation rule is currently in place which restricts your ability to watch webcams. Please contact a chat operator for more information.";
    @JsonProperty("ModRuleErrorNoImage") public String modRuleErrorNoImage =
        "A chat server moderation rule is currently in place which restricts your ability to share images. Please contact a chat operator for more information.";
  }

  public static final class Logging {
    @JsonProperty("Enabled") public boolean enabled = false;
    @JsonProperty("Directory") public String directory = "./logs";
    @JsonProperty("Channels") public List<String> channels = new ArrayList<>(List.of("lobby", "offtopic"));
    @JsonProperty("Usernames") public List<String> usernames = new ArrayList<>();
  }

  /** Ours: resource limits of a trusted server (spec §11). */
  public static final class Limits {
    /** Outbound messages queued per connection before it is closed with 1008. */
    @JsonProperty("SendQueueMessages") public int sendQueueMessages = 32;
    /** Longest chat text accepted, in characters. */
    @JsonProperty("MaxMessageLength") public int maxMessageLength = 8192;
    /** Sustained inbound frames per second per connection. */
    @JsonProperty("MessagesPerSecond") public double messagesPerSecond = 20;
    /** Inbound frames allowed in a burst (the UI sends many mutes/boots right after connecting). */
    @JsonProperty("MessageBurst") public int messageBurst = 200;
    /** Seconds without any inbound frame (including pongs) before a WebSocket is closed. */
    @JsonProperty("IdleTimeoutSeconds") public int idleTimeoutSeconds = 120;
    /** Seconds a WebSocket may stay connected without logging in. */
    @JsonProperty("LoginTimeoutSeconds") public int loginTimeoutSeconds = 60;
    /** Seconds between application pings (and WebSocket ping frames). */
    @JsonProperty("PingIntervalSeconds") public int pingIntervalSeconds = 30;
    /** Largest image upload, in bytes. */
    @JsonProperty("MaxImageBytes") public int maxImageBytes = 10 * 1024 * 1024;
    /** Largest decoded image, in pixels (decompression-bomb guard). */
    @JsonProperty("MaxImagePixels") public long maxImagePixels = 50_000_000L;
  }

  /** Ours: the MQTT broker several instances share (see the README's "Scale-out"). */
  public static final class Backplane {
    /** {@code mqtt://host:port} or {@code mqtts://host:port}; empty = single instance. */
    @JsonProperty("URL") public String url = "";
    /** Topics live under this prefix; one prefix per chat. */
    @JsonProperty("TopicPrefix") public String topicPrefix = "rtchat/main";
    /** MQTT keep-alive; a dead instance's users vanish within about 1.5 times this. */
    @JsonProperty("KeepAliveSeconds") public int keepAliveSeconds = 5;
    /** This instance's id; empty = random. */
    @JsonProperty("InstanceID") public String instanceId = "";

    public boolean enabled() {
      return url != null && !url.isBlank();
    }
  }

  /**
   * Ours: rtchat-signal-mqtt's embedded broker (MQTT 3.1.1), started with the server when that
   * module is on the class path (it is in both jars). A port already in use stops the start.
   */
  public static final class Broker {
    @JsonProperty("Enabled") public boolean enabled = true;
    /** Address to listen on; empty = the server's own (its --host). */
    @JsonProperty("Host") public String host = "";
    /** MQTT over TCP; 0 = any free port. */
    @JsonProperty("Port") public int port = 1883;
    /** MQTT over WebSocket at /mqtt; 0 = any free port. */
    @JsonProperty("WebSocketPort") public int webSocketPort = 8083;
  }

  /** The channel with this ID, or null. */
  public Channel channel(String id) {
    for (Channel c : publicChannels) {
      if (c.id.equals(id)) {
        return c;
      }
    }
    return null;
  }

  /** The webhook with this name if it is enabled and has a URL, or null. */
  public Webhook enabledWebhook(String name) {
    for (Webhook w : webhookUrls) {
      if (w.name.equals(name) && w.enabled && !w.url.isBlank()) {
        return w;
      }
    }
    return null;
  }
}
