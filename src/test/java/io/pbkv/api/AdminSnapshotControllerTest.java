package io.pbkv.api;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pbkv.config.KvProperties;
import io.pbkv.core.NodeStatus;
import io.pbkv.core.Role;
import io.pbkv.core.Snapshot;
import io.pbkv.core.VersionedValue;
import io.pbkv.runtime.NodeRuntime;
import io.pbkv.storage.FileLogStore;
import jakarta.servlet.ServletOutputStream;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.mock.web.DelegatingServletOutputStream;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.ResultActions;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/** {@code GET /admin/snapshot}: who may download, which file, and what a young or busy node answers. */
@WebMvcTest(controllers = AdminSnapshotController.class, properties = { "kv.cluster.token=s3cret", "kv.node-id=a" })
@Import(AdminSnapshotControllerTest.Beans.class)
class AdminSnapshotControllerTest {

	private static final Path DATA = TempDataDirs.create("pbkv-admin-snapshot-test");

	@TestConfiguration(proxyBeanMethods = false)
	@EnableConfigurationProperties(KvProperties.class)
	static class Beans {

		@Bean
		MeterRegistry meterRegistry() {
			return new SimpleMeterRegistry();
		}

	}

	@DynamicPropertySource
	static void dataDir(DynamicPropertyRegistry registry) {
		registry.add("kv.data-dir", DATA::toString);
	}

	@Autowired
	MockMvc mvc;

	@MockitoBean
	NodeRuntime runtime;

	private FileLogStore store;

	@BeforeEach
	void emptyDataDir() throws IOException {
		try (Stream<Path> files = Files.walk(DATA)) {
			for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
				if (!file.equals(DATA)) {
					Files.delete(file);
				}
			}
		}
		store = new FileLogStore(DATA, false);
		store.open();
		applied(0);
	}

	private void applied(long index) {
		when(runtime.status()).thenReturn(new NodeStatus("a", "cluster-1", Role.PRIMARY, 2, "a", "http://a", index,
				index, index, 0, 1, 0, false, List.of()));
	}

	private static Snapshot snapshot(long index, long epoch) {
		TreeMap<String, VersionedValue> data = new TreeMap<>();
		data.put("color", new VersionedValue(("blue-" + index).getBytes(StandardCharsets.UTF_8), index));
		return new Snapshot(index, epoch, data, new TreeMap<>(Map.of(1L, epoch)));
	}

	/** The node's snapshot file of {@code index}, as its background writer leaves it. */
	private Path written(long index, long epoch) throws IOException {
		store.writeSnapshot(snapshot(index, epoch));
		return FileLogStore.snapshotFile(DATA, index);
	}

	private ResultActions download(String token) throws Exception {
		return download(mvc, token);
	}

	private static ResultActions download(MockMvc mvc, String token) throws Exception {
		var request = get("/admin/snapshot");
		if (token != null) {
			request.header("X-Kv-Token", token);
		}
		return mvc.perform(request);
	}

	private static void expectProblem(ResultActions result, int status, String type, String detail) throws Exception {
		result.andExpect(status().is(status))
			.andExpect(content().contentTypeCompatibleWith("application/problem+json"))
			.andExpect(jsonPath("$.type").value("urn:pbkv:problem:" + type))
			.andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString(detail)));
	}

	private static void expectFile(ResultActions result, Path file, long index, long epoch) throws Exception {
		MvcResult done = result.andExpect(status().isOk())
			.andExpect(content().contentType("application/octet-stream"))
			.andExpect(header().longValue("Content-Length", Files.size(file)))
			.andExpect(header().string("Content-Disposition", "attachment; filename=\"pbkv-a-" + index + ".snap\""))
			.andExpect(header().string("X-Kv-Snapshot-Index", Long.toString(index)))
			.andExpect(header().string("X-Kv-Snapshot-Epoch", Long.toString(epoch)))
			.andExpect(header().string("Cache-Control", "no-store"))
			.andReturn();
		assertThat(done.getResponse().getContentAsByteArray()).isEqualTo(Files.readAllBytes(file));
	}

	@Test
	void withoutTheTokenIs401AndWithAWrongOne403AndTheNodeIsNeverAsked() throws Exception {
		written(100, 1);
		applied(150);

		expectProblem(download(null), 401, "forbidden", "send the cluster token in X-Kv-Token");
		expectProblem(download(""), 403, "forbidden", "send the cluster token in X-Kv-Token");
		expectProblem(download("S3CRET"), 403, "forbidden", "send the cluster token in X-Kv-Token");
		verify(runtime, never()).requestSnapshot();
		verify(runtime, never()).status();
	}

	@Test
	void aNodeWithoutATokenNeverServesSnapshots() throws Exception {
		MockMvc open = standalone(Map.of(), Duration.ofSeconds(30));

		expectProblem(download(open, null), 403, "forbidden",
				"downloading a snapshot needs kv.cluster.token to be set on this node");
		expectProblem(download(open, "anything"), 403, "forbidden", "needs kv.cluster.token");
	}

	@Test
	void theNewestSnapshotIsStreamedWhenItIsOfTheAppliedIndex() throws Exception {
		written(100, 1); // an older one, still pinned for a backup
		Path newest = written(200, 2);
		applied(200);

		expectFile(download("s3cret"), newest, 200, 2);
		verify(runtime, never()).requestSnapshot();
	}

	@Test
	void aNodeBehindItsAppliedIndexTakesAFreshSnapshotFirst() throws Exception {
		written(100, 1);
		applied(250);
		when(runtime.requestSnapshot()).thenAnswer(invocation -> {
			Thread.ofVirtual().start(() -> {
				try {
					Thread.sleep(200);
					written(250, 2);
				}
				catch (Exception ex) {
					throw new IllegalStateException(ex);
				}
			});
			return true;
		});

		expectFile(download("s3cret"), FileLogStore.snapshotFile(DATA, 250), 250, 2);
		verify(runtime).requestSnapshot();
	}

	@Test
	void aYoungNodeSaysItHasNothingToSnapshotYet() throws Exception {
		applied(0);

		expectProblem(download("s3cret"), 409, "no-snapshot", "node a holds no state to snapshot yet");
		verify(runtime, never()).requestSnapshot();
	}

	@Test
	void aStoppedNodeServesTheNewestSnapshotItHas() throws Exception {
		Path newest = written(100, 1);
		applied(180);
		when(runtime.requestSnapshot()).thenReturn(false);

		expectFile(download("s3cret"), newest, 100, 1);
	}

	@Test
	void whenTheFreshSnapshotTakesTooLongTheNewestServesOrTheClientIsToldToRetry() throws Exception {
		MockMvc impatient = standalone(Map.of("kv.cluster.token", "s3cret"), Duration.ofMillis(300));
		applied(180);
		when(runtime.requestSnapshot()).thenReturn(true);

		expectProblem(download(impatient, "s3cret"), 503, "unavailable", "still writing its first snapshot");

		Path newest = written(100, 1);
		expectFile(download(impatient, "s3cret"), newest, 100, 1);
	}

	@Test
	void aSnapshotThatACompactionDeletesWhileItIsStreamedStillArrivesWhole() throws Exception {
		Path file = written(300, 3);
		byte[] expected = Files.readAllBytes(file);
		applied(300);
		MockHttpServletResponse response = new MockHttpServletResponse() {

			private final ServletOutputStream out = super.getOutputStream();

			@Override
			public ServletOutputStream getOutputStream() {
				return new DelegatingServletOutputStream(out) {

					@Override
					public void write(byte[] bytes, int offset, int length) throws IOException {
						Files.deleteIfExists(file); // a newer snapshot replaced it, after the first bytes went out
						super.write(bytes, offset, length);
					}

				};
			}

		};

		controller(Map.of("kv.cluster.token", "s3cret"), Duration.ofSeconds(1)).snapshot("s3cret", response);

		assertThat(file).doesNotExist();
		assertThat(response.getStatus()).isEqualTo(200);
		assertThat(response.getContentAsByteArray()).isEqualTo(expected);
	}

	@Test
	void aNodeThatCannotTakeASnapshotNowAndHasNoneSaysSo() throws Exception {
		applied(300);
		when(runtime.requestSnapshot()).thenReturn(false);

		expectProblem(download("s3cret"), 503, "unavailable", "node a has no snapshot yet and cannot take one now");
	}

	/** The controller outside the slice, for settings the slice's context does not have. */
	private MockMvc standalone(Map<String, String> settings, Duration freshWait) {
		return MockMvcBuilders.standaloneSetup(controller(settings, freshWait))
			.setControllerAdvice(new ProblemAdvice())
			.build();
	}

	private AdminSnapshotController controller(Map<String, String> settings, Duration freshWait) {
		Map<String, String> all = new HashMap<>(settings);
		all.put("kv.node-id", "a");
		all.put("kv.data-dir", DATA.toString());
		KvProperties properties = new Binder(new MapConfigurationPropertySource(all)).bind("kv", KvProperties.class)
			.get();
		return new AdminSnapshotController(runtime, properties, freshWait);
	}

}
