package io.pbkv;

import io.pbkv.cli.ClientMain;
import io.pbkv.config.SnapshotPreloadInitializer;

import java.util.Arrays;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class PbkvApplication {

	/**
	 * Runs a node, or with {@code client} as the first argument the command-line client, with {@code restore} the
	 * restore of a snapshot into a new data dir (neither starts a Spring context).
	 */
	public static void main(String[] args) {
		if (args.length > 0 && ClientMain.COMMAND.equals(args[0])) {
			System.exit(ClientMain.run(Arrays.copyOfRange(args, 1, args.length)));
		}
		if (args.length > 0 && RestoreCommand.COMMAND.equals(args[0])) {
			System.exit(RestoreCommand.run(Arrays.copyOfRange(args, 1, args.length)));
		}
		SpringApplication application = new SpringApplication(PbkvApplication.class);
		application.addInitializers(new SnapshotPreloadInitializer());
		application.run(args);
	}

}
