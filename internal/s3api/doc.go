// Package s3api is chime's S3 client: the few requests of the S3 API that
// chime's object store (tsdb/vfs/s3) and its tests send, on net/http,
// signed with AWS Signature Version 4.
//
// Why not aws-sdk-go-v2, the well-kept client issue 10 asks for: the
// SDK's package initialisation runs in every chime process, local
// commands included, since the binary links it. On hello-world programs
// (perf stat -r 80, task-clock) a bare one took 1.00 ms, one importing
// aws-sdk-go-v2/config 2.08 ms and one importing service/s3 alone
// 1.38 ms: the SDK would more than double the start-up floor of every
// `chime read` on a local directory, which issue 10 requires to stay
// where it was. chime uses a dozen operations of S3 and none of the SDK's
// other services; this package is those operations, and it initialises
// nothing at start-up.
//
// What it covers:
//
//   - Requests: PutObject (If-None-Match, If-Match), GetObject (Range,
//     If-Match), HeadObject, HeadBucket, DeleteObject (If-Match),
//     ListObjectsV2 (paged), multipart uploads (create, upload part,
//     complete with If-None-Match or If-Match, abort, list), CopyObject,
//     CreateBucket.
//     Buckets are addressed by path on a custom endpoint and by virtual
//     host on AWS (by path for bucket names that are not DNS labels).
//   - Signing (sign.go): SigV4 with the header x-amz-content-sha256;
//     object bodies are UNSIGNED-PAYLOAD over TLS and hashed over plain
//     HTTP, every other body is hashed, as the SDK does.
//   - Errors (errors.go): a non-2xx reply is an *Error with its status and
//     the code and message of its XML body (also a 200 reply to
//     CompleteMultipartUpload that carries an error).
//   - Timeouts and retries (conn.go, client.go): an attempt fails once
//     nothing moved either way on its connection for the timeout, or its
//     reply's headers took longer (a transfer that progresses is never
//     cut short); attempts are bounded and spaced by jittered exponential
//     backoff; retried are network errors, stalls, bodies cut short, 429,
//     500, 502, 503, 504 and S3's throttling codes. A
//     403 whose Date is more than 5 minutes off the local clock (AWS
//     refuses signatures 15 minutes off its own) sets the clock requests
//     are signed with to the server's, and the request is tried again.
//   - Configuration (config.go, ini.go): the standard AWS environment and
//     shared files: AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL or the
//     profile's endpoint_url, AWS_REGION / AWS_DEFAULT_REGION or the
//     profile's region (us-east-1 when unset), AWS_CA_BUNDLE or
//     ca_bundle, AWS_MAX_ATTEMPTS or max_attempts.
//   - Credentials (credentials.go, metadata.go), in the SDK's order: the
//     environment's key pair; the profile's (AWS_PROFILE, the shared
//     credentials and config files); the container endpoint (ECS, EKS Pod
//     Identity); the EC2 instance metadata service (IMDSv2). Temporary
//     credentials are cached and refreshed before they expire. Single
//     sign-on, assume-role, web-identity and credential_process profiles
//     are not supported, and say so with one line: export their
//     credentials first (`aws configure export-credentials`).
package s3api
