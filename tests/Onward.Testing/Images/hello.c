/* The service inside the test images: a static HTTP server for FROM scratch images. GET /healthz answers "ok";
   anything else answers "$GREETING $ONWARD_VERSION in $ONWARD_ENVIRONMENT", so that tests see the image's own
   environment (GREETING comes from the Containerfile's ENV) next to Onward's. */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *env(const char *name) { const char *v = getenv(name); return v ? v : "?"; }

int main(void) {
    int server = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in address = {0};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons((unsigned short)atoi(env("PORT")));
    if (bind(server, (struct sockaddr *)&address, sizeof address) != 0 || listen(server, 64) != 0) { perror("listen"); return 1; }
    printf("hello listening on %s\n", env("PORT"));
    fflush(stdout);
    char request[4096], body[512], response[1024];
    for (;;) {
        int client = accept(server, NULL, NULL);
        if (client < 0) continue;
        ssize_t n = read(client, request, sizeof request - 1);
        request[n > 0 ? n : 0] = 0;
        if (strncmp(request, "GET /healthz", 12) == 0) snprintf(body, sizeof body, "ok\n");
        else snprintf(body, sizeof body, "%s %s in %s\n", env("GREETING"), env("ONWARD_VERSION"), env("ONWARD_ENVIRONMENT"));
        int length = snprintf(response, sizeof response, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s", strlen(body), body);
        (void)write(client, response, (size_t)length);
        close(client);
    }
}
