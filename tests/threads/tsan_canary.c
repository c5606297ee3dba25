/* A deliberate data race: ThreadSanitizer must report it, which shows that
 * the 'tsan' suite really runs under a working ThreadSanitizer (a TSan
 * test that cannot see races would pass for nothing). */
#include <pthread.h>
#include <stdio.h>

static int shared_counter;

static void *writer(void *arg)
{
    (void)arg;
    shared_counter++;       /* unsynchronised write ... */
    return NULL;
}

int main(void)
{
    pthread_t th;
    if (pthread_create(&th, NULL, writer, NULL) != 0)
        return 2;
    shared_counter++;       /* ... racing with this one */
    pthread_join(th, NULL);
    printf("counter %d\n", shared_counter);
    return 0;
}
