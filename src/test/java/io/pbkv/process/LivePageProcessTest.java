package io.pbkv.process;

import java.io.File;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The live page in real headless Chromium against a real pair: it shows who is primary, and a kill -9 of the
 * primary as it happens. Uses Debian's chromium and chromedriver, so Selenium Manager never downloads anything.
 */
@Tag("process")
class LivePageProcessTest {

	private static final File CHROMIUM = new File("/usr/bin/chromium");

	private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");

	private static final Path SCREENSHOT = Path.of("target/live-page.png");

	@TempDir
	Path work;

	@TempDir
	Path profile;

	@BeforeAll
	static void browserIsInstalled() {
		boolean installed = CHROMIUM.canExecute() && CHROMEDRIVER.canExecute();
		String why = "the live page test needs " + CHROMIUM + " and " + CHROMEDRIVER
				+ ": run `apt-get install -y chromium chromium-driver`";
		String ci = System.getenv("CI");
		if (!installed && ci != null && !ci.isBlank()) {
			fail(why);
		}
		Assumptions.assumeTrue(installed, why);
	}

	/** @param extraArguments more Chromium switches, such as the public keys to trust */
	private WebDriver chromium(String... extraArguments) {
		System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.getPath());
		ChromeOptions options = new ChromeOptions();
		options.setBinary(CHROMIUM);
		options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
				"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
				"--window-size=1200,900", "--user-data-dir=" + profile);
		options.addArguments(extraArguments);
		options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER)
			.usingAnyFreePort()
			.build();
		return new ChromeDriver(service, options);
	}

	@Test
	void thePageShowsWhoIsPrimaryAndAFailoverAsItHappens() throws Exception {
		try (Pair pair = new Pair(work).start()) {
			WebDriver browser = chromium();
			try {
				browser.get(pair.a.url() + "/");
				awaitRoles(browser, "a", "PRIMARY", "b", "BACKUP");
				assertNoBrowserErrors(browser);

				// a is about to die, so watch from b's page: it fetches a's view server-side.
				browser.get(pair.b.url() + "/");
				awaitRoles(browser, "a", "PRIMARY", "b", "BACKUP");
				for (int i = 0; i < 20; i++) {
					pair.http.put(pair.a.url(), "page/" + i, "v" + i);
				}
				await(browser, "a's client ops/s as a number",
						() -> field(browser, "a", "ops").matches("\\d+\\.\\d"));
				assertThat(field(browser, "b", "inSync")).isEqualTo("yes");
				// The charts: a line through the polls so far, the p99 of the writes included.
				await(browser, "a's charts with a few points each", () -> chartPoints(browser, "a", "ops") >= 3
						&& chartPoints(browser, "a", "p99") >= 3 && chartPoints(browser, "b", "lag") >= 3);
				assertThat(card(browser, "a").findElement(By.cssSelector("[data-chart='p99'] polyline"))
					.getDomAttribute("points")).matches("([\\d.]+,[\\d.-]+ ?)+");

				pair.a.kill9();
				await(browser, "b PRIMARY and a unreachable on b's page",
						() -> "PRIMARY".equals(card(browser, "b").getDomAttribute("data-role"))
								&& "false".equals(card(browser, "a").getDomAttribute("data-reachable")));
				assertThat(field(browser, "b", "role")).contains("PRIMARY");
				assertThat(field(browser, "a", "role")).contains("UNREACHABLE");
				assertThat(browser.findElement(By.id("summary")).getDomAttribute("data-primary")).isEqualTo("b");
				assertThat(browser.findElement(By.id("events")).getText()).contains("a is primary")
					.contains("a is unreachable")
					.containsPattern("epoch \\d+: b became primary");
				assertNoBrowserErrors(browser);
			}
			finally {
				screenshot(browser);
				browser.quit();
			}
		}
	}

	/**
	 * In the production setting (HTTPS, mutual TLS between the nodes, client authentication on), the page asks for
	 * a token, refuses a wrong one, and with a read token signs in (a {@code Secure} session cookie from POST
	 * /auth/session) and shows both nodes, whose views it fetched with that credential over the nodes' TLS. The
	 * browser trusts the two nodes' public keys and nothing else.
	 */
	@Test
	void overHttpsWithAuthenticationOnThePageSignsInWithAReadToken() throws Exception {
		Path tokens = work.resolve("tokens");
		Files.write(tokens, List.of("read * " + io.pbkv.security.TokensFile.sha256("page-reader")));
		TestCertificates certs = new TestCertificates(work.resolve("tls"), "pbkv-test-ca");
		int portA = NodeProcess.freePort();
		int portB = NodeProcess.freePort();
		String urlA = "https://127.0.0.1:" + portA;
		String urlB = "https://127.0.0.1:" + portB;
		List<String> argsA = new java.util.ArrayList<>(certs.nodeArgs("a"));
		List<String> argsB = new java.util.ArrayList<>(certs.nodeArgs("b"));
		argsA.add("--kv.security.tokens-file=" + tokens);
		argsB.add("--kv.security.tokens-file=" + tokens);
		NodeProcess a = new NodeProcess("a", portA, urlA, work, Pair.args(urlB, "primary", Duration.ofMillis(300),
				Pair.TIMEOUT, argsA.toArray(String[]::new))).withTls(certs.clientContext());
		NodeProcess b = new NodeProcess("b", portB, urlB, work, Pair.args(urlA, "backup", Duration.ofMillis(300),
				Pair.TIMEOUT, argsB.toArray(String[]::new))).withTls(certs.clientContext());
		try (Pair pair = new Pair(a, b)) {
			a.start();
			b.start();
			a.awaitReady(Duration.ofSeconds(90));
			b.awaitReady(Duration.ofSeconds(90));
			WebDriver browser = chromium("--ignore-certificate-errors-spki-list=" + certs.publicKeyPin("a") + ","
					+ certs.publicKeyPin("b"));
			try {
				browser.get(a.url() + "/");
				assertThat(browser.getCurrentUrl()).startsWith("https://");
				await(browser, "the sign-in form", () -> browser.findElement(By.id("sign-in")).isDisplayed());
				browser.findElement(By.id("token")).sendKeys("not-a-token");
				browser.findElement(By.cssSelector("#sign-in button")).click();
				await(browser, "the refusal", () -> !browser.findElement(By.id("sign-in-error")).getText().isEmpty());
				browser.findElement(By.id("token")).sendKeys("page-reader");
				browser.findElement(By.cssSelector("#sign-in button")).click();
				awaitRoles(browser, "a", "PRIMARY", "b", "BACKUP");
				assertThat(browser.findElement(By.id("sign-in")).isDisplayed()).isFalse();
				assertThat(field(browser, "b", "inSync")).isEqualTo("yes");
			}
			finally {
				screenshot(browser);
				browser.quit();
			}
		}
	}

	/** A browser's own EventSource follows a watch: event names, ids, data, and resuming from an id. */
	@Test
	void aBrowsersEventSourceFollowsAWatchAndResumesFromAnId() throws Exception {
		try (Pair pair = new Pair(work).start()) {
			WebDriver browser = chromium();
			try {
				browser.get(pair.a.url() + "/");
				JavascriptExecutor js = (JavascriptExecutor) browser;
				js.executeScript("""
						window.seen = [];
						window.watch = (query) => {
							const source = new EventSource("kv?watch=true&prefix=es/" + query);
							for (const name of ["put", "delete"]) {
								source.addEventListener(name, (e) => window.seen.push(
									{ name: e.type, id: e.lastEventId, data: JSON.parse(e.data) }));
							}
							return source;
						};
						window.first = window.watch("&since=0");
						""");
				pair.http.put(pair.a.url(), "es/1", "one");
				pair.http.put(pair.a.url(), "not-watched", "x");
				pair.http.put(pair.a.url(), "es/2", "two");
				pair.http.send(HttpRequest.newBuilder(URI.create(pair.a.url() + "/kv/es/1"))
					.DELETE());
				await(browser, "three events in the browser", () -> seen(js).size() == 3);
				List<Map<String, Object>> seen = seen(js);
				assertThat(seen).extracting(e -> e.get("name")).containsExactly("put", "put", "delete");
				assertThat(seen).extracting(e -> (Object) ((Map<?, ?>) e.get("data")).get("key"))
					.containsExactly("es/1", "es/2", "es/1");
				assertThat(((Map<?, ?>) seen.get(0).get("data")).get("value")).isEqualTo("one");
				for (Map<String, Object> e : seen) {
					assertThat(e.get("id")).isEqualTo(String.valueOf(((Map<?, ?>) e.get("data")).get("version")));
				}
				// A second source from the first event's id gets the two that came after it, and no more.
				js.executeScript("window.first.close(); window.seen = []; window.watch('&since=' + arguments[0]);",
						seen.get(0).get("id"));
				await(browser, "the two later events again", () -> seen(js).size() == 2);
				assertThat(seen(js)).extracting(e -> e.get("id"))
					.containsExactly(seen.get(1).get("id"), seen.get(2).get("id"));
				assertNoBrowserErrors(browser);
			}
			finally {
				browser.quit();
			}
		}
	}

	@SuppressWarnings("unchecked")
	private static List<Map<String, Object>> seen(JavascriptExecutor js) {
		return (List<Map<String, Object>>) js.executeScript("return window.seen;");
	}

	private static void awaitRoles(WebDriver browser, String first, String firstRole, String second,
			String secondRole) {
		await(browser, first + " " + firstRole + " and " + second + " " + secondRole,
				() -> firstRole.equals(card(browser, first).getDomAttribute("data-role"))
						&& secondRole.equals(card(browser, second).getDomAttribute("data-role")));
	}

	private static void await(WebDriver browser, String what, BooleanSupplier condition) {
		// WebDriverWait retries while a card is not there yet (NoSuchElementException).
		new WebDriverWait(browser, Duration.ofSeconds(30)).withMessage(what).until(d -> condition.getAsBoolean());
	}

	private static WebElement card(WebDriver browser, String nodeId) {
		return browser.findElement(By.cssSelector("article[data-node-id='" + nodeId + "']"));
	}

	private static String field(WebDriver browser, String nodeId, String field) {
		return card(browser, nodeId).findElement(By.cssSelector("[data-field='" + field + "']")).getText();
	}

	private static int chartPoints(WebDriver browser, String nodeId, String chart) {
		String points = card(browser, nodeId).findElement(By.cssSelector("[data-chart='" + chart + "']"))
			.getDomAttribute("data-points");
		return points == null ? 0 : Integer.parseInt(points);
	}

	private static void assertNoBrowserErrors(WebDriver browser) {
		List<LogEntry> errors = browser.manage()
			.logs()
			.get(LogType.BROWSER)
			.getAll()
			.stream()
			.filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
			.toList();
		assertThat(errors).as("errors in the browser console").isEmpty();
	}

	private static void screenshot(WebDriver browser) throws Exception {
		File shot = ((ChromeDriver) browser).getScreenshotAs(OutputType.FILE);
		Files.createDirectories(SCREENSHOT.getParent());
		Files.copy(shot.toPath(), SCREENSHOT, StandardCopyOption.REPLACE_EXISTING);
	}

}
