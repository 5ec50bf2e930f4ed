// Command hello is a tiny program that the tests of winetest build.
package main

import "fmt"

func main() { fmt.Println("hello") }
