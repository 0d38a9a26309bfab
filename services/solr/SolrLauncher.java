// Minimal standalone Apache Solr 9 HTTP server: Jetty 10 + CoreContainerProvider + SolrDispatchFilter,
// the same wiring as Solr's own WEB-INF/web.xml, so that Solr can run from Maven Central jars alone.
//
// Run (JDK 11+ single-file source mode):  java -cp 'lib/*' [-D...] SolrLauncher.java
// System properties: solr.solr.home (default ./solr-home), solr.jetty.host (127.0.0.1), jetty.port (8983)
//
// Exits non-zero when the port cannot be bound. Core load failures are caught by scripts/solr.sh,
// which checks the cores' initFailures and pings the core before it reports Solr as started.
import java.nio.file.Path;
import java.util.EnumSet;
import javax.servlet.DispatcherType;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.apache.solr.servlet.CoreContainerProvider;
import org.apache.solr.servlet.SolrDispatchFilter;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.servlet.FilterHolder;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.ServletHolder;

public class SolrLauncher {
  public static void main(String[] args) throws Exception {
    String home =
        Path.of(System.getProperty("solr.solr.home", "solr-home")).toAbsolutePath().normalize().toString();
    String host = System.getProperty("solr.jetty.host", "127.0.0.1");
    int port = Integer.getInteger("jetty.port", 8983);

    Server server = new Server();
    ServerConnector http = new ServerConnector(server);
    http.setHost(host);
    http.setPort(port);
    server.addConnector(http);

    ServletContextHandler ctx = new ServletContextHandler(ServletContextHandler.NO_SESSIONS);
    ctx.setContextPath("/solr");
    ctx.setAttribute(SolrDispatchFilter.SOLRHOME_ATTRIBUTE, home);
    ctx.addEventListener(new CoreContainerProvider());
    FilterHolder solr = ctx.addFilter(SolrDispatchFilter.class, "/*", EnumSet.of(DispatcherType.REQUEST));
    solr.setInitParameter("excludePatterns", "/partials/.+,/libs/.+,/css/.+,/js/.+,/img/.+,/templates/.+");
    // Fall-through servlet: there is no admin UI (its static files ship only in Solr's tarball).
    ctx.addServlet(
        new ServletHolder(
            new HttpServlet() {
              @Override
              protected void service(HttpServletRequest req, HttpServletResponse res)
                  throws java.io.IOException {
                res.sendError(404, "Not found: " + req.getRequestURI());
              }
            }),
        "/");

    server.setHandler(ctx);
    server.setStopAtShutdown(true); // SIGTERM closes the cores cleanly
    try {
      server.start();
    } catch (Exception e) {
      System.err.println("SolrLauncher: cannot start on " + host + ":" + port + ": " + e);
      server.stop();
      System.exit(1);
    }
    System.err.println("SolrLauncher: http://" + host + ":" + port + "/solr (home " + home + ")");
    server.join();
  }
}
