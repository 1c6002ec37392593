// Package s3 is a chime store (vfs.FS) on S3-compatible object storage:
// AWS S3, MinIO, SeaweedFS, Ceph RGW, Cloudflare R2. A database at
// s3://BUCKET/PREFIX is the objects PREFIX/NAME of the bucket.
//
// Every operation of the seam maps to requests that S3 makes atomic:
//
//   - List is ListObjectsV2 of the prefix (strongly consistent on AWS, R2,
//     MinIO and SeaweedFS; not on Ceph multisite, which chime cannot use);
//     an object's Version is its ETag.
//   - Open is one ranged GET of the object's tail (the footer, top index,
//     meta and, in version 2 files, every index page), pinned with
//     If-Match to the ETag listed: an object replaced or removed since is
//     ErrChanged or ErrNotExist, never other bytes. Blocks are fetched
//     later in ranges, aligned and coalesced, with read-ahead for scans;
//     every range is pinned alike.
//   - Create spools the bytes to a local temporary file; Publish uploads
//     them with If-None-Match: * (PutObject, or a multipart upload with
//     parts in parallel whose condition applies at
//     CompleteMultipartUpload). Losing the race for a name uploads the
//     spool again under the next name: stdin is never read twice. An
//     upload whose Complete got 412 is aborted.
//   - Remove is DeleteObject; Lock is a lease object (see lease.go);
//     Stale and RemoveStale find and abort incomplete multipart uploads
//     older than the grace period by the server's clock, which Now reads
//     from the Date of the server's replies.
//
// The requests go through chime's own S3 client, internal/s3api, not
// aws-sdk-go-v2: the SDK's package initialisation would run in every
// chime process, local commands included (a hello-world program takes
// 1.00 ms to start, 2.08 ms importing aws-sdk-go-v2/config, 1.38 ms
// importing service/s3 alone), and issue 10 requires the start-up floor
// of local commands to stay where it was. The client signs with SigV4,
// sends no aws-chunked bodies or checksum trailers (which confuse some S3
// servers), and initialises nothing at start-up.
//
// Configuration is the standard AWS chain: AWS_ENDPOINT_URL_S3 or
// AWS_ENDPOINT_URL or the profile's endpoint_url (path-style addressing
// for such endpoints), the credentials of the environment, AWS_PROFILE
// and the shared files, the container and EC2 instance metadata
// services, AWS_REGION or AWS_DEFAULT_REGION or the profile's region
// (us-east-1 when unset). Every request has a timeout, and retries are
// bounded, with backoff.
//
// Conditional writes are required: Open probes the server once per
// process before its first write (a second create of one name must get
// 412 Precondition Failed, and so must an If-Match on a wrong ETag), and
// refuses a server that does not honour them.
package s3
