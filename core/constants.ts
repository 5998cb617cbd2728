/** Length of a face embedding; shared by the model wrapper and the pgvector column so they cannot drift. */
export const EMBEDDING_DIM = 512;

/**
 * A stream node's ffmpeg processes run at a lower CPU priority than the node: its niceness plus 5,
 * so when both want the CPU ffmpeg gets about a third of a node thread's share. A camera's key
 * frame is ~27 ms of decoding with most of a second to the next one, while a frame whose analysis
 * is late is dropped (the camera's pipeline is still busy with the one before): under load,
 * decoding is the work that can wait. It costs no CPU when the machine is
 * not full. bench:stream at 20 cameras (`STEPS=20`, 7 runs each, alternated, on a shared machine
 * whose speed varied a lot between runs): first windows at 0.86 frames/cam/s on average (0.67-1.01)
 * and 2 of 7 runs on time with nice 5, 0.82 (0.69-0.93) and none on time with nice 0. A small gain,
 * but the reason holds: the decode has slack, a late analysis loses the frame.
 */
export const DECODE_NICE = 5;
