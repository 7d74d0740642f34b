/* An instantly healthy HTTP service for benchmarks: it answers 200 to every request on $PORT, and prints the
   moment it started listening (Unix ms) so that the benchmark can subtract the process's own start-up. */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

int main(void) {
    const char *port = getenv("PORT");
    int server = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in address = {0};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons((unsigned short)atoi(port ? port : "8081"));
    if (bind(server, (struct sockaddr *)&address, sizeof address) != 0 || listen(server, 128) != 0) {
        perror("listen");
        return 1;
    }
    struct timeval now;
    gettimeofday(&now, NULL);
    printf("listening %lld\n", (long long)now.tv_sec * 1000 + now.tv_usec / 1000);
    fflush(stdout);
    const char *answer = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n";
    char buffer[4096];
    for (;;) {
        int client = accept(server, NULL, NULL);
        if (client < 0) continue;
        (void)read(client, buffer, sizeof buffer);
        (void)write(client, answer, strlen(answer));
        close(client);
    }
}
