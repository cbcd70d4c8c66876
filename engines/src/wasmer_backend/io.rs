//! wasmer-wasix virtual files for captured stdout/stderr and stdin bytes.

use std::io::{self, SeekFrom};
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncSeek, AsyncWrite, ReadBuf};
use virtual_fs::VirtualFile;

use crate::capture::CaptureBuf;

/// Captured stdout or stderr: every write succeeds, excess is counted.
#[derive(Debug)]
pub(super) struct CaptureFile(pub(super) CaptureBuf);

/// stdin served from a byte buffer; end of file after the last byte.
#[derive(Debug)]
pub(super) struct StdinBytes {
    bytes: Vec<u8>,
    pos: usize,
}

impl StdinBytes {
    pub(super) fn new(bytes: Vec<u8>) -> Self {
        StdinBytes { bytes, pos: 0 }
    }
}

impl AsyncWrite for CaptureFile {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.0.write(buf);
        Poll::Ready(Ok(buf.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl AsyncRead for CaptureFile {
    fn poll_read(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        _: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for StdinBytes {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, _: &[u8]) -> Poll<io::Result<usize>> {
        Poll::Ready(Err(io::Error::from(io::ErrorKind::PermissionDenied)))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl AsyncRead for StdinBytes {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let rest = &self.bytes[self.pos..];
        let n = rest.len().min(buf.remaining());
        buf.put_slice(&rest[..n]);
        self.pos += n;
        Poll::Ready(Ok(()))
    }
}

macro_rules! unseekable_virtual_file {
    ($ty:ty, $size:expr, $read_ready:expr) => {
        impl AsyncSeek for $ty {
            fn start_seek(self: Pin<&mut Self>, _: SeekFrom) -> io::Result<()> {
                Err(io::Error::from(io::ErrorKind::Unsupported))
            }
            fn poll_complete(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<u64>> {
                Poll::Ready(Ok(0))
            }
        }

        impl VirtualFile for $ty {
            fn last_accessed(&self) -> u64 {
                0
            }
            fn last_modified(&self) -> u64 {
                0
            }
            fn created_time(&self) -> u64 {
                0
            }
            fn size(&self) -> u64 {
                let f: fn(&$ty) -> u64 = $size;
                f(self)
            }
            fn set_len(&mut self, _: u64) -> virtual_fs::Result<()> {
                Err(virtual_fs::FsError::PermissionDenied)
            }
            fn unlink(&mut self) -> virtual_fs::Result<()> {
                Ok(())
            }
            fn poll_read_ready(
                self: Pin<&mut Self>,
                _: &mut Context<'_>,
            ) -> Poll<io::Result<usize>> {
                let f: fn(&$ty) -> usize = $read_ready;
                Poll::Ready(Ok(f(&self)))
            }
            fn poll_write_ready(
                self: Pin<&mut Self>,
                _: &mut Context<'_>,
            ) -> Poll<io::Result<usize>> {
                Poll::Ready(Ok(1 << 16))
            }
        }
    };
}

unseekable_virtual_file!(CaptureFile, |_| 0, |_| 0);
unseekable_virtual_file!(StdinBytes, |s| (s.bytes.len() - s.pos) as u64, |s| s
    .bytes
    .len()
    - s.pos);
