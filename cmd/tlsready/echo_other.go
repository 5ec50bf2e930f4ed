//go:build !(linux || aix || solaris || darwin || dragonfly || freebsd || netbsd || openbsd || windows)

package main

// echoOff does nothing here: term.ReadPassword turns the echo off once the prompt shows.
func echoOff(int) error { return nil }
